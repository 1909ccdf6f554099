/**
 * Everything in a report that came from a log, a capture, an inventory or a ruleset is data, never
 * markup: these functions make it inert in each output format.
 */

/** HTML text and attribute values (OWASP rule #1 and #2: & < > " ' escaped). */
export function escapeHtml(s: string): string {
  return stripControls(s).replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/** C0/C1 control characters (ANSI escapes, NUL) and bidi overrides become visible \xNN text. */
export function stripControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * Characters that must never reach a terminal raw: C0 (tab, line feed and carriage return too), DEL, C1
 * (ECMA-48: CSI, OSC, NEL...), the line and paragraph separators U+2028/U+2029, and the bidirectional
 * controls of Unicode TR9 (ALM, LRM, RLM, LRE..RLO, LRI..PDI; "Trojan Source", CVE-2021-42574).
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
}

/**
 * One value bound for a terminal line (the text report, a stderr message): every character of
 * TERMINAL_UNSAFE becomes visible `\xNN` / `\uNNNN` text, so a name cannot move the cursor, recolour
 * the screen, set the window title, or start a line of its own (a forged `Result:` line).
 */
export function escapeTerminal(s: string): string {
  return s.replace(TERMINAL_UNSAFE, visible);
}

/** Text of several lines bound for a terminal: each line escaped as escapeTerminal, the line breaks kept. */
export function escapeTerminalLines(s: string): string {
  return s.split("\n").map(escapeTerminal).join("\n");
}

// Everything TERMINAL_UNSAFE holds that JSON.stringify leaves raw (it escapes only U+0000..U+001F).
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text safe on a terminal: the characters JSON.stringify leaves raw written as \uNNNN (the same JSON value). */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_RAW_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A Markdown table cell: pipes, backslashes, markup, backticks and line breaks neutralised. */
export function escapeMarkdown(s: string): string {
  return stripControls(s)
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/`/g, "\\`")
    .replace(/\*/g, "\\*")
    .replace(/_/g, "\\_")
    .replace(/\[/g, "\\[")
    .replace(/\]/g, "\\]")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r?\n/g, " ");
}

/**
 * A CSV cell (RFC 4180 quoting). A cell that a spreadsheet would read as a formula (starting with
 * = + - @, or a tab or carriage return) is prefixed with a single quote (OWASP "CSV injection").
 */
export function csvCell(v: string | number | null): string {
  if (v === null) return "";
  let s = stripControls(String(v));
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** XML text and attribute values; characters XML 1.0 cannot carry are replaced. */
export function escapeXml(s: string): string {
  return stripControls(s)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;"));
}
