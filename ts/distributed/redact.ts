/** Redis URLs in logs and errors: the password (and a user's name with it) never printed. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not a URL we can parse: print nothing of it rather than a secret.
    return "<redis url>";
  }
}
