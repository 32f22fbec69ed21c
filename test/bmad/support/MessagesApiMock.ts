// A loopback stand-in for the Anthropic Messages API (POST /v1/messages), streaming SSE the way the real
// API does, that logs every request. Its script is the simplest one that makes a real `claude -p` do a
// step's work: the first request of a conversation gets a Bash `tool_use` running the test's step worker
// (which acts on the SPRINT_RUNNER_* environment); the request carrying that tool's result gets the
// worker's output back as the final text (the markers the step needs). Requests without a Bash tool
// (the CLI's own side requests) get a short text.

import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  at: number;
  method: string;
  url: string;
  /** Parsed JSON body (undefined when not JSON). */
  body?: MessagesRequest;
  /** What the mock answered: `tool_use`, `final`, `side` or `other`. */
  answer: 'tool_use' | 'final' | 'side' | 'other';
}

interface ContentBlock {
  type: string;
  text?: string;
  content?: string | ContentBlock[];
  [k: string]: unknown;
}

interface MessagesRequest {
  model?: string;
  stream?: boolean;
  tools?: { name?: string }[];
  messages?: { role: string; content: string | ContentBlock[] }[];
  [k: string]: unknown;
}

function id(prefix: string): string {
  return `${prefix}_mock_${randomBytes(12).toString('hex')}`;
}

function blockText(c: string | ContentBlock[] | undefined): string {
  if (c === undefined) return '';
  if (typeof c === 'string') return c;
  return c.map((b) => (typeof b.text === 'string' ? b.text : typeof b.content === 'string' || Array.isArray(b.content) ? blockText(b.content) : '')).join('\n');
}

/** All text of the first user message of a conversation request (what the CLI made of the prompt). */
export function firstUserText(body: MessagesRequest | undefined): string {
  const first = body?.messages?.find((m) => m.role === 'user');
  return blockText(first?.content);
}

/** The tool_result of the last user message, when it carries one. */
function lastToolResult(body: MessagesRequest): string | undefined {
  const last = body.messages?.[body.messages.length - 1];
  if (!last || last.role !== 'user' || typeof last.content === 'string') return undefined;
  const result = last.content.find((b) => b.type === 'tool_result');
  return result ? blockText(result.content) : undefined;
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function sse(res: http.ServerResponse, model: string, blocks: Block[], stopReason: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': id('req') });
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('message_start', {
    type: 'message_start',
    message: { id: id('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 120, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
  });
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
    } else {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
      send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } });
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  });
  send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 40 } });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function json(res: http.ServerResponse, model: string, blocks: Block[], stopReason: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(
    JSON.stringify({ id: id('msg'), type: 'message', role: 'assistant', model, content: blocks, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: 120, output_tokens: 40 } }),
  );
}

export class MessagesApiMock {
  readonly requests: LoggedRequest[] = [];
  private server?: http.Server;

  /** @param workerCommand the shell command the scripted Bash tool_use runs (the step worker). */
  constructor(private readonly workerCommand: string) {}

  get url(): string {
    const a = this.server?.address() as AddressInfo | undefined;
    if (!a) throw new Error('MessagesApiMock is not listening');
    return `http://127.0.0.1:${a.port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Requests that opened an agent conversation (answered with the worker's tool_use). */
  conversations(): LoggedRequest[] {
    return this.requests.filter((r) => r.answer === 'tool_use');
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    let body: MessagesRequest | undefined;
    try {
      body = raw ? (JSON.parse(raw) as MessagesRequest) : undefined;
    } catch {
      body = undefined;
    }
    const url = req.url ?? '';
    const log = (answer: LoggedRequest['answer']): void => {
      this.requests.push({ at: Date.now(), method: req.method ?? '', url, ...(body ? { body } : {}), answer });
    };
    if (req.method !== 'POST' || !/^\/v1\/messages(\?|$)/.test(url) || !body) {
      log('other');
      if (/count_tokens/.test(url)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: 100 }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `mock: no ${req.method} ${url}` } }));
      return;
    }
    const model = body.model ?? 'claude-mock';
    const reply = body.stream ? sse : json;
    const hasBash = (body.tools ?? []).some((t) => t.name === 'Bash');
    if (!hasBash) {
      log('side');
      reply(res, model, [{ type: 'text', text: 'ok' }], 'end_turn');
      return;
    }
    const result = lastToolResult(body);
    if (result !== undefined) {
      log('final');
      reply(res, model, [{ type: 'text', text: result }], 'end_turn');
      return;
    }
    log('tool_use');
    reply(
      res,
      model,
      [
        { type: 'text', text: 'Running the step.' },
        { type: 'tool_use', id: id('toolu'), name: 'Bash', input: { command: this.workerCommand, description: 'Do the step' } },
      ],
      'tool_use',
    );
  }
}
