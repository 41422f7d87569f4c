/** A JSON response; the body is serialized as is (the dialects' wire shapes are built by presenters). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  // Bytes, not a string: undici copies a string body into a well-formed one (toWellFormed) before
  // encoding it, a tenth of the CPU and of the garbage of a 200 kB room list, and JSON.stringify's
  // output is well-formed already (it escapes lone surrogates).
  return new Response(Buffer.from(JSON.stringify(body)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** Epoch milliseconds of a date, as the dialects' *MS / *Utc fields carry them. */
export function toMillis(date: Date | null | undefined): number {
  return date ? date.getTime() : 0;
}
