/** Delivery callbacks of every vocabulary → one shape; terminal states are never undone. */
import { DeliveryTracker, parseDeliveryReport } from '../nest';

const eskizTable: Array<[string, 'pending' | 'delivered' | 'failed']> = [
  ['DELIVRD', 'delivered'],
  ['DELIVERED', 'delivered'],
  ['DELIVER', 'delivered'],
  ['UNDELIV', 'failed'],
  ['UNDELIVERABLE', 'failed'],
  ['EXPIRED', 'failed'],
  ['REJECTD', 'failed'],
  ['REJECTED', 'failed'],
  ['DELETED', 'failed'],
  ['NEW', 'pending'],
  ['STORED', 'pending'],
  ['ACCEPTED', 'pending'],
  ['ENROUTE', 'pending'],
  ['UNKNOWN', 'pending'],
  ['PARTDELIVERED', 'pending'],
  ['waiting', 'pending'],
  ['TRANSMTD', 'pending'],
];

test.each(eskizTable)('Eskiz %s → %s', (raw, status) => {
  const r = parseDeliveryReport('eskiz', {
    request_id: 'req-1', message_id: '4385062', user_sms_id: '42', country: 'UZ',
    phone_number: '998991234567', sms_count: '1', status: raw, status_date: '2021-04-02 00:39:36',
  });
  expect(r).toEqual({
    provider: 'eskiz', messageId: 'req-1', reference: '42', status, rawStatus: raw.toUpperCase(),
    at: '2021-04-01T19:39:36.000Z', phone: '998991234567',
  });
});

const twilioTable: Array<[string, 'pending' | 'delivered' | 'failed']> = [
  ['queued', 'pending'], ['sending', 'pending'], ['sent', 'pending'], ['accepted', 'pending'],
  ['scheduled', 'pending'], ['receiving', 'pending'], ['received', 'pending'], ['partially_delivered', 'pending'],
  ['delivered', 'delivered'], ['read', 'delivered'],
  ['undelivered', 'failed'], ['failed', 'failed'], ['canceled', 'failed'],
];

test.each(twilioTable)('Twilio %s → %s', (raw, status) => {
  const r = parseDeliveryReport('twilio', `MessageSid=SMx&SmsSid=SMx&MessageStatus=${raw}&To=%2B998901234567${status === 'failed' ? '&ErrorCode=30003' : ''}`);
  expect(r).toMatchObject({ provider: 'twilio', messageId: 'SMx', status, rawStatus: raw, phone: '+998901234567' });
  expect(r.errorCode).toBe(status === 'failed' ? '30003' : undefined);
});

test('Eskiz send-global and form bodies; malformed reports are INVALID_ARGUMENT', () => {
  const g = parseDeliveryReport('eskiz', 'message_id=4385062&country=US&phone_number=1234567891011&status=DELIVRD');
  expect(g).toMatchObject({ messageId: '4385062', status: 'delivered' });
  expect(() => parseDeliveryReport('eskiz', { status: 'DELIVRD' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => parseDeliveryReport('twilio', {})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
});

test('a late non-terminal report never overwrites a terminal one', () => {
  const t = new DeliveryTracker();
  const r = (status: string) => parseDeliveryReport('twilio', `MessageSid=SM1&MessageStatus=${status}`);
  expect(t.apply(r('sent'))).toBe(true);
  expect(t.apply(r('delivered'))).toBe(true);
  expect(t.apply(r('sending'))).toBe(false);
  expect(t.apply(r('undelivered'))).toBe(false);
  expect(t.get('twilio', 'SM1')?.status).toBe('delivered');
});

test('the tracker is bounded', () => {
  const t = new DeliveryTracker(2);
  for (const id of ['a', 'b', 'c']) t.apply(parseDeliveryReport('twilio', `MessageSid=${id}&MessageStatus=sent`));
  expect(t.get('twilio', 'a')).toBeUndefined();
  expect(t.get('twilio', 'c')?.status).toBe('pending');
});

const playmobileTable: Array<[string, 'pending' | 'delivered' | 'failed']> = [
  ['delivered', 'delivered'],
  ['not_delivered', 'failed'],
  ['undeliverable', 'failed'],
  ['failed', 'failed'],
  ['rejected', 'failed'],
  ['deleted', 'failed'],
  ['expired', 'failed'],
  ['transmitted', 'pending'],
  ['accepted', 'pending'],
  ['enroute', 'pending'],
  ['a-word-nobody-documented', 'pending'],
];

test.each(playmobileTable)('Play Mobile %s → %s', (raw, status) => {
  const r = parseDeliveryReport('playmobile', { 'message-id': 'Ab3dE5gH7jK9mN1pQ3sT', channel: 'sms', status: raw, 'status-date': '2025-04-02 00:39:36', description: 'x' });
  expect(r).toMatchObject({ provider: 'playmobile', messageId: 'Ab3dE5gH7jK9mN1pQ3sT', status, rawStatus: raw, at: '2025-04-02T00:39:36.000Z' });
});

test('Play Mobile: underscored keys, an array of one; a longer array or no message-id is INVALID_ARGUMENT', () => {
  expect(parseDeliveryReport('playmobile', [{ message_id: 'm1', status: 'DELIVERED', status_date: '2025-04-02 00:39:36' }])).toMatchObject({ messageId: 'm1', status: 'delivered' });
  const two = [
    { 'message-id': 'a', status: 'delivered' },
    { 'message-id': 'b', status: 'delivered' },
  ];
  expect(() => parseDeliveryReport('playmobile', two)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => parseDeliveryReport('playmobile', { status: 'delivered' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('message-id') }));
});
