/**
 * Local receivers for notification delivery tests, on loopback, never a real service:
 * - an SMTP server (smtp-server) with one user and password, keeping every message it accepts; it offers
 *   STARTTLS with a self-signed certificate for localhost/127.0.0.1 (localhost-tls.crt, made with
 *   `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj /CN=localhost
 *   -addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1`), which this process trusts as a user
 *   would trust a private CA — Thetadesk itself verifies every certificate;
 * - an HTTP receiver playing a Slack incoming webhook (POST /services/… JSON `{ text }` → `200 ok`) and
 *   the Telegram Bot API (POST /bot<token>/sendMessage JSON `{ chat_id, text }` → `{ ok: true, result }`,
 *   a wrong token → 401 `{ ok: false, error_code: 401, description: "Unauthorized" }`), as their public
 *   documentation describes them. Its mode can be switched to refuse (HTTP 500) or to hang.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { from: string; to: string[]; subject: string; text: string; raw: string; user: string | null; tls: boolean };

const TLS_KEY = readFileSync(new URL('./localhost-tls.key', import.meta.url));
const TLS_CERT = readFileSync(new URL('./localhost-tls.crt', import.meta.url));
// This test process trusts the local server's certificate (Node >= 24.5; the default store otherwise).
if (!tls.getCACertificates('default').includes(TLS_CERT.toString('utf8'))) tls.setDefaultCACertificates([...tls.getCACertificates('default'), TLS_CERT.toString('utf8')]);

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Decodes quoted-printable (RFC 2045) as nodemailer writes a text body with non-ASCII characters. */
function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { subject: header('Subject'), text: text.replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

export type LocalSmtp = { port: number; mails: ReceivedMail[]; authFailures: number; /** AUTH commands seen (right or wrong), and how many came in clear. */ logins: { total: number; inClear: number }; close(): Promise<void> };

/**
 * An SMTP server on 127.0.0.1 that requires `user`/`password`: with STARTTLS (and AUTH only after it) by
 * default; `starttls: false` offers no TLS and takes AUTH in clear, as a careless or hostile server would.
 */
export async function startSmtp(user: string, password: string, options: { starttls?: boolean } = {}): Promise<LocalSmtp> {
  const starttls = options.starttls ?? true;
  const mails: ReceivedMail[] = [];
  const state = { authFailures: 0, logins: { total: 0, inClear: 0 } };
  const server = new SMTPServer({
    logger: false,
    ...(starttls ? { key: TLS_KEY, cert: TLS_CERT, allowInsecureAuth: false } : { disabledCommands: ['STARTTLS'], allowInsecureAuth: true }),
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, callback) {
      state.logins.total++;
      if (!session.secure) state.logins.inClear++;
      if (auth.username === user && auth.password === password) return callback(null, { user });
      state.authFailures++;
      const error = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), ...parseMail(raw), raw, user: (session.user as string | undefined) ?? null, tls: session.secure });
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    get authFailures() {
      return state.authFailures;
    },
    logins: state.logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type WebhookPost = { path: string; body: unknown; contentType: string };
export type WebhookMode = 'ok' | 'fail' | 'hang';

export type LocalWebhooks = {
  url: string;
  port: number;
  posts: WebhookPost[];
  /** Requests seen, answered or not. */
  attempts: number;
  mode: WebhookMode;
  close(): Promise<void>;
};

/** A Slack- and Telegram-style webhook receiver on 127.0.0.1; `telegramToken` is the bot token it accepts. */
export async function startWebhooks(telegramToken: string): Promise<LocalWebhooks> {
  const hanging = new Set<http.ServerResponse>();
  const state: { mode: WebhookMode; attempts: number; posts: WebhookPost[] } = { mode: 'ok', attempts: 0, posts: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.attempts++;
      const path = req.url ?? '';
      if (state.mode === 'hang') {
        hanging.add(res);
        return;
      }
      if (state.mode === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal_error');
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      const tg = /^\/bot([^/]+)\/sendMessage$/.exec(path);
      if (tg) {
        if (tg[1] !== telegramToken) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
          return;
        }
        const { chat_id, text } = body as { chat_id?: unknown; text?: unknown };
        if (chat_id === undefined || typeof text !== 'string' || text.length < 1 || text.length > 4096) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: message text is empty or too long' }));
          return;
        }
        state.posts.push({ path, body, contentType: req.headers['content-type'] ?? '' });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { message_id: state.posts.length, chat: { id: chat_id }, text } }));
        return;
      }
      if (path.startsWith('/services/')) {
        if (typeof (body as { text?: unknown }).text !== 'string') {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
          return;
        }
        state.posts.push({ path, body, contentType: req.headers['content-type'] ?? '' });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get posts() {
      return state.posts;
    },
    get attempts() {
      return state.attempts;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: WebhookMode) {
      state.mode = m;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
