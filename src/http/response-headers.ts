/**
 * Edits a response's headers in place, or on a copy when they are immutable (a
 * Response.redirect, a fetched body): the one way every layer adds its headers.
 */
export function editHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    edit(copy.headers);
    return copy;
  }
}
