/**
 * A report (JSON, JUnit, HTML) or console output with what differs between any two runs of the same
 * suite masked: times and durations, random ids, the backends' ports, the HTML's nonce, device names
 * made from the date or from {{rand:N}}. What is left must be the same for the same seed and library.
 */
export function runInvariant(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/(&quot;|")(durationMs|startedAt)\1:\s*\d+/g, '$2:<ms>')
    .replace(/time="[\d.]+"/g, 'time="<s>"')
    .replace(/\b\d+(\.\d+)?\s?(ms|s|m)\b/g, '<duration>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/nonce-[A-Za-z0-9+/=]+/g, 'nonce-<nonce>')
    .replace(/nonce="[A-Za-z0-9+/=]+"/g, 'nonce="<nonce>"')
    .replace(/\d\d\/\d\d\/\d{4}_\d+\.\d\d [AP]M/g, '<date>')
    .replace(/FL-(\d{4})-\d{3}/g, 'FL-$1-<rand>');
}
