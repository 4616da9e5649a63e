/**
 * A loopback stand-in for Vertex AI's `generateContent` REST method (the shape ChatGoogle speaks): records every
 * request (path, headers, body) and answers as told: a verdict, raw text, an HTTP error, no candidates, a blocked
 * prompt, or no answer at all (a timeout). The default answer is a scripted analyst that reads the prompt's JSON
 * (used by `npm run eval:alerts` and the end-to-end test); it stands in for Gemini's judgement, it does not
 * measure it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export type StandInReply =
  | { kind: 'verdict'; verdict: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'status'; status: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'no-candidates' }
  | { kind: 'blocked' };

export type Responder = (request: RecordedRequest) => StandInReply;

export interface VertexStandIn {
  /** Base URL to use as ALERTS_LLM_ENDPOINT. */
  url: string;
  requests: RecordedRequest[];
  respondWith(reply: StandInReply | Responder): void;
  close(): Promise<void>;
}

const GENERATE = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/)?publishers\/google\/models\/[^/:]+:generateContent$/;

/** The text the model "read": system instruction and user parts. */
export function promptText(body: RecordedRequest['body']): string {
  const parts = [...(body?.systemInstruction?.parts ?? []), ...(body?.contents ?? []).flatMap((content: { parts?: unknown[] }) => content.parts ?? [])];
  return parts.map((part: { text?: string }) => part.text ?? '').join('\n');
}

/** The JSON context of the alert prompt (after "Review this entry:"). */
export function promptContext(body: RecordedRequest['body']): Record<string, any> | undefined {
  const text = (body?.contents ?? []).flatMap((content: { parts?: { text?: string }[] }) => content.parts ?? []).map((part: { text?: string }) => part.text ?? '').join('');
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}

/**
 * The scripted analyst: large amounts against the account's history, bursts, hours the account never uses and
 * big amounts on new accounts, weighed with the local model's score.
 */
export function scriptedAnalyst(request: RecordedRequest): StandInReply {
  const context = promptContext(request.body);
  if (!context) return { kind: 'verdict', verdict: { score: 0.5, reason: 'no context', action: 'escalate' } };
  const amount = Number(context.entry.amount);
  const features = context.account_features;
  const history = features.last_30d;
  const ratio = history.count > 0 ? amount / Math.max(history.mean, 1) : 0;
  const expectedPerHour = history.count / 720;
  const burst = features.last_1h.count >= 4 && features.last_1h.count >= 8 * (expectedPerHour + 0.1);
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Sao_Paulo', hour: '2-digit', hourCycle: 'h23' }).format(new Date(context.entry.occurred_at)),
  ) % 24;
  const oddHour = history.count >= 10 && (features.entries_by_hour_30d[hour] ?? 0) === 0;
  const newAccount = features.account_age_days < 7 && amount >= 1500;
  const local = Number(context.local_model.score);
  const strong = ratio >= 6 || burst || newAccount;
  let verdict: { score: number; action: string; reason: string };
  if (strong && (oddHour || ratio >= 12 || local >= 0.9)) verdict = { score: 0.95, action: 'block', reason: `amount ${ratio.toFixed(1)}× usual${oddHour ? ' at an unusual hour' : ''}${burst ? ', burst' : ''}` };
  else if (strong && local >= 0.3) verdict = { score: 0.8, action: 'monitor', reason: `amount ${ratio.toFixed(1)}× usual${burst ? ', burst of entries' : ''}` };
  else if (local >= 0.6 && (ratio >= 3 || oddHour)) verdict = { score: 0.65, action: 'monitor', reason: 'several weak signals agree with the local model' };
  else verdict = { score: 0.1, action: 'ignore', reason: 'consistent with the account history' };
  return { kind: 'verdict', verdict };
}

export async function startVertexStandIn(initial: StandInReply | Responder = scriptedAnalyst): Promise<VertexStandIn> {
  let responder: Responder = typeof initial === 'function' ? initial : () => initial;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body };
      requests.push(recorded);
      if (req.method !== 'POST' || !GENERATE.test(path)) return send(res, 404, { error: { code: 404, message: `no route ${path}`, status: 'NOT_FOUND' } });
      const reply = responder(recorded);
      const inputTokens = Math.ceil(promptText(recorded.body).length / 4);
      const answer = (text: string) =>
        send(res, 200, {
          candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: inputTokens, candidatesTokenCount: Math.ceil(text.length / 4), totalTokenCount: inputTokens + Math.ceil(text.length / 4) },
          modelVersion: 'gemini-2.5-flash-stand-in',
          responseId: `stand-in-${requests.length}`,
        });
      switch (reply.kind) {
        case 'verdict':
          return answer(JSON.stringify(reply.verdict));
        case 'text':
          return answer(reply.text);
        case 'status':
          return send(res, reply.status, { error: { code: reply.status, message: reply.message ?? `stand-in error ${reply.status}`, status: 'STAND_IN' } });
        case 'no-candidates':
          return send(res, 200, { candidates: [], usageMetadata: { promptTokenCount: inputTokens, totalTokenCount: inputTokens } });
        case 'blocked':
          return send(res, 200, { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: inputTokens, totalTokenCount: inputTokens } });
        case 'hang':
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return undefined;
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(reply) {
      responder = typeof reply === 'function' ? reply : () => reply;
    },
    async close() {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
