/** A JSON response; the body is serialized as is (the dialects' wire shapes are built by presenters). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** Epoch milliseconds of a date, as the dialects' *MS / *Utc fields carry them. */
export function toMillis(date: Date | null | undefined): number {
  return date ? date.getTime() : 0;
}
