/**
 * A JSON answer: the one helper for the app's own routes (health, 404, 500) and every
 * REST dialect. A leaf module, so any transport imports it without a cycle.
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  // Bytes, not a string: undici copies a string body into a well-formed one (toWellFormed) before
  // encoding it, a tenth of the CPU and of the garbage of a 200 kB room list, and JSON.stringify's
  // output is well-formed already (it escapes lone surrogates).
  return new Response(Buffer.from(JSON.stringify(body)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}
