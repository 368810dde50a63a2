/** The development provider: nothing leaves the process, messages are kept and logged masked. */
import { SmsClient } from '../nest';
import { eventually, logCollector } from './helpers';

test('console provider validates, keeps recent messages and logs them masked', async () => {
  const { lines, logger } = logCollector();
  const client = new SmsClient({ provider: 'console', console: { outboxSize: 2 }, logger });
  try {
    const r = await client.send({ to: '90 123 45 67', text: 'Kod: 123456' });
    expect(r).toMatchObject({ provider: 'console', status: 'delivered', to: '+998901234567', segments: 1 });
    await client.send({ to: '+998911234567', text: 'Ikkinchi' });
    await client.send({ to: '+998931234567', text: 'Uchinchi' });
    expect(client.outbox().map((m) => m.text)).toEqual(['Ikkinchi', 'Uchinchi']);
    await expect(client.send({ to: 'nope', text: 'x' })).rejects.toMatchObject({ code: 'INVALID_PHONE' });
    await expect(client.status(r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(client.tokenStatus()).toBeNull();
    await eventually(() => lines.length >= 3);
    expect(lines[0].message).toContain('Kod: ******');
    expect(lines.map((l) => l.message).join('\n')).not.toContain('123456');
  } finally {
    await client.close();
  }
});
