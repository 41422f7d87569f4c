/**
 * A connection URL fit for a log line or an error message: the password masked, and
 * nothing of it when it cannot be parsed (it may then hold the password anywhere).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL (unparseable)';
  }
}
