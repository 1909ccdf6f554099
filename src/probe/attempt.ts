/**
 * One attempt at one port, as PortQry / Test-NetConnection make it: a TCP connect, a UDP request
 * (a real protocol question where there is one), or an ICMP echo through the system's `ping`. Each
 * resolves to an action and the evidence text a person reads in the report; none ever rejects.
 */
import { Socket, type TcpNetConnectOpts } from "node:net";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { execFile } from "node:child_process";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, BLOCKED_BY_DESTINATION, BLOCKED_BY_NETWORK, type ActionCode } from "../decode/batch.js";
import type { UdpRequest } from "./requests/index.js";

export interface Outcome {
  action: ActionCode;
  evidence: string;
  /**
   * Who stopped a blocked attempt, when the socket can tell (BLOCKED_BY_*); unset means unknown: a
   * socket sees ECONNREFUSED, not the RST's TTL or the ICMP error's sender (docs/outcomes.md).
   */
  blockedBy?: number;
  /** The socket's local address and port, when the attempt got that far. */
  localAddress?: string;
  localPort?: number;
  /** Binding the requested source port failed (EADDRINUSE, EACCES): the caller may try another. */
  bindError?: string;
}

export interface AttemptOptions {
  timeoutMs: number;
  /** Aborted when --max-time is up: the attempt ends at once as "not finished in time". */
  signal: AbortSignal;
  /** Bind this source port (the rule allows only some client ports); otherwise the kernel picks one. */
  localPort?: number;
}

export const NOT_FINISHED = "probe: not finished in time";

function notFinished(): Outcome {
  return { action: ACTION_UNKNOWN, evidence: NOT_FINISHED };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function elapsed(t0: number): number {
  return Math.max(0, Math.round(performance.now() - t0));
}

/**
 * What a failed connect or receive says, by errno. Linux turns an ICMP error quoting the attempt into
 * the socket's error (icmp_err_convert in net/ipv4/icmp.c, icmpv6_err_convert in net/ipv6/icmp.c):
 * port unreachable -> ECONNREFUSED, host unreachable and admin-prohibited (3/13, 3/10) -> EHOSTUNREACH,
 * network unreachable -> ENETUNREACH, ICMPv6 administratively prohibited (1/1) -> EACCES.
 */
function errorOutcome(code: string, dst: string, proto: "tcp" | "udp"): Outcome {
  switch (code) {
    case "ECONNREFUSED":
      return proto === "tcp"
        ? { action: ACTION_BLOCKED, evidence: `probe: connection refused (RST from ${dst}): nothing listening, or a firewall answering in its name` }
        : { action: ACTION_BLOCKED, evidence: `probe: port unreachable (ICMP): nothing listening on ${dst}, or a firewall rejecting in its name` };
    case "EHOSTUNREACH":
      return { action: ACTION_BLOCKED, evidence: "probe: host unreachable (EHOSTUNREACH): an ICMP host-unreachable or admin-prohibited from a router or firewall, or no ARP/ND answer" };
    case "ENETUNREACH":
      return { action: ACTION_BLOCKED, blockedBy: BLOCKED_BY_NETWORK, evidence: "probe: network unreachable (ENETUNREACH): no route, or an ICMP net-unreachable" };
    case "EACCES":
      return { action: ACTION_BLOCKED, evidence: "probe: administratively prohibited (EACCES): an ICMPv6 admin-prohibited from a firewall" };
    case "EPERM":
      return { action: ACTION_BLOCKED, blockedBy: BLOCKED_BY_NETWORK, evidence: "probe: not permitted (EPERM): this machine's own firewall refuses to send it" };
    case "EHOSTDOWN":
    case "ENONET":
    case "ETIMEDOUT":
      return { action: ACTION_BLOCKED, evidence: `probe: ${code} (no answer from ${dst})` };
    default:
      return { action: ACTION_UNKNOWN, evidence: `probe: cannot try (${code})` };
  }
}

/** TCP: connected means reachable; RST means refused; silence until the timeout means filtered. */
export function tcpAttempt(dst: string, port: number, o: AttemptOptions): Promise<Outcome> {
  if (o.signal.aborted) return Promise.resolve(notFinished());
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = new Socket();
    const local: { localAddress?: string; localPort?: number } = {};
    const note = () => {
      if (sock.localAddress !== undefined) local.localAddress = sock.localAddress;
      if (sock.localPort !== undefined) local.localPort = sock.localPort;
    };
    let done = false;
    const finish = (out: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      sock.destroy();
      resolve({ ...local, ...out });
    };
    const onAbort = () => finish(notFinished());
    const timer = setTimeout(() => finish({ action: ACTION_BLOCKED, evidence: `probe: no answer in ${seconds(o.timeoutMs)} (filtered)` }), o.timeoutMs);
    o.signal.addEventListener("abort", onAbort, { once: true });
    sock.once("connect", () => {
      note();
      finish({ action: ACTION_ALLOWED, evidence: `probe: tcp connect ok in ${elapsed(t0)} ms` });
    });
    sock.once("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "error";
      if (e.syscall === "bind") finish({ action: ACTION_UNKNOWN, evidence: `probe: cannot bind source port ${o.localPort} (${code})`, bindError: code });
      else finish(errorOutcome(code, dst, "tcp"));
    });
    // The kernel picks the source address and port when connect() is issued; read them while the
    // attempt is still open, since a refused socket is gone before its error is reported.
    setImmediate(note);
    const opts: TcpNetConnectOpts = { host: dst, port };
    if (o.localPort !== undefined) opts.localPort = o.localPort;
    sock.connect(opts);
  });
}

/**
 * UDP on a connected socket, so that an ICMP error quoting the datagram is reported to it. With a
 * protocol request, silence means filtered or not listening; without one, silence says nothing.
 */
export function udpAttempt(dst: string, family: 4 | 6, port: number, req: UdpRequest | undefined, o: AttemptOptions): Promise<Outcome> {
  if (o.signal.aborted) return Promise.resolve(notFinished());
  return new Promise((resolve) => {
    let t0 = performance.now();
    const sock: UdpSocket = createSocket({ type: family === 6 ? "udp6" : "udp4" });
    const local: { localAddress?: string; localPort?: number } = {};
    let done = false;
    const finish = (out: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      try { sock.close(); } catch { /* already closed */ }
      resolve({ ...local, ...out });
    };
    const onAbort = () => finish(notFinished());
    const silent: Outcome = req
      ? { action: ACTION_BLOCKED, evidence: `probe: ${req.name} request unanswered in ${seconds(o.timeoutMs)} (filtered or not listening)` }
      : { action: ACTION_UNKNOWN, evidence: "probe: no answer (listening or filtered, as PortQry says)" };
    let timer = setTimeout(() => finish(silent), o.timeoutMs);
    o.signal.addEventListener("abort", onAbort, { once: true });
    sock.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "error";
      if (e.syscall === "bind") finish({ action: ACTION_UNKNOWN, evidence: `probe: cannot bind source port ${o.localPort} (${code})`, bindError: code });
      else finish(errorOutcome(code, dst, "udp"));
    });
    sock.on("message", (msg: Buffer) => {
      const ms = elapsed(t0);
      finish(req
        ? { action: ACTION_ALLOWED, evidence: `probe: ${req.name} answered in ${ms} ms (${req.describe(msg)})` }
        : { action: ACTION_ALLOWED, evidence: `probe: udp answered in ${ms} ms (${msg.length} bytes)` });
    });
    const send = () => {
      sock.connect(port, dst, (err?: Error) => {
        if (done) return;
        if (err) return finish(errorOutcome((err as NodeJS.ErrnoException).code ?? "error", dst, "udp"));
        try {
          const a = sock.address();
          local.localAddress = a.address;
          local.localPort = a.port;
        } catch { /* not bound after all: the error handler reports it */ }
        t0 = performance.now();
        clearTimeout(timer);
        timer = setTimeout(() => finish(silent), o.timeoutMs);
        sock.send(req ? req.bytes : Buffer.alloc(0), (e: Error | null) => {
          if (e) finish(errorOutcome((e as NodeJS.ErrnoException).code ?? "error", dst, "udp"));
        });
      });
    };
    if (o.localPort !== undefined) sock.bind({ port: o.localPort, exclusive: true }, send);
    else send();
  });
}

/**
 * ICMP echo through the system's ping (a plain process cannot open an ICMP socket everywhere; ping
 * has the capability or the setuid bit for it). Exit 0: a reply; 1: none (iputils prints an ICMP
 * error it got as "From ROUTER icmp_seq=1 Destination Host Prohibited"); anything else: ping failed.
 */
export function pingAttempt(ping: string | null, dst: string, family: 4 | 6, o: AttemptOptions): Promise<Outcome> {
  if (o.signal.aborted) return Promise.resolve(notFinished());
  if (ping === null) return Promise.resolve({ action: ACTION_UNKNOWN, evidence: "probe: cannot send ICMP from this process (no ping command found)" });
  const wait = Math.max(1, Math.ceil(o.timeoutMs / 1000));
  const args = [...(family === 6 ? ["-6"] : []), "-n", "-c", "1", "-W", String(wait), dst];
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile(ping, args, { timeout: wait * 1000 + 3000, signal: o.signal, encoding: "utf8", env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) => {
      if (o.signal.aborted) return resolve(notFinished());
      if (!err) {
        const m = /time[=<]([\d.]+) ?ms/.exec(stdout);
        return resolve({ action: ACTION_ALLOWED, evidence: `probe: echo reply in ${m ? m[1] : elapsed(t0)} ms` });
      }
      const code = (err as { code?: unknown }).code;
      if (code === 1) {
        const icmp = /^From (\S+?):? .*?icmp_seq=\d+ (.+)$/m.exec(stdout);
        // ping names the error's sender: the destination itself, or a router or firewall on the way.
        if (icmp) return resolve({ action: ACTION_BLOCKED, blockedBy: icmp[1] === dst ? BLOCKED_BY_DESTINATION : BLOCKED_BY_NETWORK, evidence: `probe: ${icmp[2]!.trim()} (ICMP from ${icmp[1]})` });
        return resolve({ action: ACTION_BLOCKED, evidence: `probe: no echo reply in ${seconds(wait * 1000)} (filtered)` });
      }
      const why = (stderr.split("\n").find((l) => l.trim() !== "") ?? String(code ?? err.message)).trim().slice(0, 160);
      resolve({ action: ACTION_UNKNOWN, evidence: `probe: cannot send ICMP from this process (${why})` });
    });
  });
}

/**
 * The address this machine would send from to reach `dst`: connect() on a UDP socket asks the routing
 * table and sends nothing.
 */
export function sourceAddressFor(dst: string, family: 4 | 6): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createSocket({ type: family === 6 ? "udp6" : "udp4" });
    const done = (a: string | undefined) => {
      try { s.close(); } catch { /* closed */ }
      resolve(a);
    };
    s.once("error", () => done(undefined));
    s.connect(9, dst, (err?: Error) => {
      if (err) return done(undefined);
      try { done(s.address().address); } catch { done(undefined); }
    });
  });
}
