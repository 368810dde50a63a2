/**
 * What every contender sends: the sandbox's Eskiz account and one ordinary one-part SMS, so the
 * clients differ only in how they do HTTP and tokens.
 */
'use strict';

module.exports = {
  email: 'demo@uzgate.dev',
  password: 'sandbox-secret',
  to: '+998901234567',
  // Eskiz wants the number without the plus; uzgate normalises it, the baselines send it as is.
  mobilePhone: '998901234567',
  text: 'Salom',
  from: '4546',
};
