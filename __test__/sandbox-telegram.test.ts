/**
 * The sandbox's Telegram Bot API imitation and webhook receiver, seen from JavaScript: requests
 * posted with `fetch` to a started sandbox, read back through `telegramBot()`,
 * `telegramMessages()`, `webhookRequests()` and `stats()`.
 */
import { startSandbox, type Sandbox } from 'uzgate-sandbox';

let sb: Sandbox;

beforeEach(async () => {
  sb = await startSandbox({ telegram: { rateLimitPerGroupPerMinute: 0 } });
});

afterEach(async () => {
  await sb.close();
});

/** The Bot API envelope, success or failure. */
interface BotAnswer {
  ok: boolean;
  result?: Record<string, unknown>;
  error_code?: number;
  description?: string;
  parameters?: { retry_after: number };
}

async function send(token: string, body: Record<string, unknown>): Promise<{ status: number; json: BotAnswer }> {
  const res = await fetch(`${sb.url}/bot${token}/sendMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as BotAnswer };
}

test('the default bot is minted per sandbox and its accepted messages are read back', async () => {
  const bot = sb.telegramBot();
  expect(bot.token).toMatch(/^\d{10}:SANDBOX[A-Za-z0-9_-]{28}$/);
  expect(bot.chatId).toBeLessThan(-1_000_000_000_000);
  expect(typeof bot.threadId).toBe('number');
  const other = await startSandbox();
  try {
    expect(other.telegramBot().token).not.toBe(bot.token);
  } finally {
    await other.close();
  }

  const sent = await send(bot.token, {
    chat_id: bot.chatId,
    message_thread_id: bot.threadId,
    text: '<b>amoCRM</b> disconnected &amp; needs a reconnect',
    parse_mode: 'HTML',
  });
  expect(sent.status).toBe(200);
  expect(sent.json).toMatchObject({
    ok: true,
    result: {
      message_id: 1,
      text: 'amoCRM disconnected & needs a reconnect',
      chat: { id: bot.chatId, type: 'supergroup' },
      from: { id: bot.botId, is_bot: true },
      message_thread_id: bot.threadId,
      is_topic_message: true,
    },
  });

  const messages = sb.telegramMessages(bot.chatId!);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({
    chatId: bot.chatId,
    threadId: bot.threadId,
    messageId: 1,
    text: 'amoCRM disconnected & needs a reconnect',
    rawText: '<b>amoCRM</b> disconnected &amp; needs a reconnect',
    parseMode: 'HTML',
  });
  expect(sb.telegramMessages(12345)).toEqual([]);
  expect(sb.stats().telegram).toMatchObject({ requests: 1, accepted: 1, rateLimited: 0, rejected: {} });
});

test('errors come in the Bot API envelope and are counted by reason', async () => {
  const bot = sb.telegramBot();
  const notFound = await send(bot.token, { chat_id: 777, text: 'hi' });
  expect(notFound).toEqual({
    status: 400,
    json: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
  });
  const unescaped = await send(bot.token, { chat_id: bot.chatId, text: 'Balance 1.5', parse_mode: 'MarkdownV2' });
  expect(unescaped.status).toBe(400);
  expect(unescaped.json.description).toBe(
    "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
  );
  const unknown = await send(`${bot.botId}:SANDBOXwrong-secret-wrong-secret-xx`, { chat_id: bot.chatId, text: 'hi' });
  expect(unknown).toEqual({ status: 401, json: { ok: false, error_code: 401, description: 'Unauthorized' } });
  expect(sb.stats().telegram).toMatchObject({
    requests: 3,
    accepted: 0,
    rejected: { chatNotFound: 1, cantParseEntities: 1, unauthorized: 1 },
  });
  expect(sb.telegramMessages()).toEqual([]);
});

test('flood control: 429 with parameters.retry_after, forced through configure()', async () => {
  const bot = sb.telegramBot();
  sb.configure({ telegram: { floodWait: { retryAfter: 9, times: 1 } } });
  const limited = await send(bot.token, { chat_id: bot.chatId, text: 'alert' });
  expect(limited).toEqual({
    status: 429,
    json: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 9', parameters: { retry_after: 9 } },
  });
  expect((await send(bot.token, { chat_id: bot.chatId, text: 'alert' })).status).toBe(200);
  // The documented per-chat limit: a burst of 3, then about one a second.
  expect((await send(bot.token, { chat_id: bot.chatId, text: 'alert' })).status).toBe(200);
  expect((await send(bot.token, { chat_id: bot.chatId, text: 'alert' })).status).toBe(200);
  const over = await send(bot.token, { chat_id: bot.chatId, text: 'alert' });
  expect(over.status).toBe(429);
  expect(over.json.parameters).toEqual({ retry_after: 1 });
  expect(sb.stats().telegram).toMatchObject({ accepted: 3, rateLimited: 2 });
});

test('configured bots and chats; a fault on the bot path', async () => {
  sb.configure({
    telegram: { bots: [{ chats: [{ id: 4242, title: 'On call' }, { id: -99, forbidden: 'bot was kicked from the group chat' }] }] },
  });
  const bot = sb.telegramBot();
  expect(bot.chatId).toBe(4242);
  expect(bot.threadId).toBeNull();
  const ok = await send(bot.token, { chat_id: 4242, text: 'hi' });
  expect(ok.json.result?.chat).toEqual({ id: 4242, type: 'private', first_name: 'On call' });
  const kicked = await send(bot.token, { chat_id: -99, text: 'hi' });
  expect(kicked.json).toEqual({
    ok: false,
    error_code: 403,
    description: 'Forbidden: bot was kicked from the group chat',
  });
  sb.setFault({ path: '/bot', kind: 'status', status: 502, times: 1 });
  expect((await send(bot.token, { chat_id: 4242, text: 'hi' })).status).toBe(502);
  expect(sb.telegramMessages(4242)).toHaveLength(1);
});

test('the webhook receiver records headers, raw body and time, and answers { ok: true }', async () => {
  const body = '{"kind":"reauthorizationRequired","integration":"amocrm"}';
  const before = Date.now();
  const res = await fetch(`${sb.url}/webhooks/ops`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Uzgate-Timestamp': '1760000000', 'X-Uzgate-Signature': 'sig' },
    body,
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });

  sb.setFault({ path: '/webhooks/broken', kind: 'status', status: 500, phase: 'after' });
  expect((await fetch(`${sb.url}/webhooks/broken`, { method: 'POST', body: 'x' })).status).toBe(500);

  const [got] = sb.webhookRequests('ops');
  expect(got).toMatchObject({ name: 'ops', method: 'POST', body });
  expect(got.headers).toMatchObject({
    'content-type': 'application/json',
    'x-uzgate-timestamp': '1760000000',
    'x-uzgate-signature': 'sig',
  });
  expect(got.receivedMs).toBeGreaterThanOrEqual(before);
  expect(sb.webhookRequests().map((r) => r.name)).toEqual(['ops', 'broken']);
  expect(sb.stats().webhooks).toEqual({ requests: 2, byName: { ops: 1, broken: 1 } });
  sb.clearInbox();
  expect(sb.webhookRequests()).toEqual([]);
});
