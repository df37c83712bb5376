/**
 * The names the credit tables use (migrations CreateCredits and CreditCore own the schema; the
 * money core and the repositories read and write it with SQL, no ORM entities).
 */
export const CREDIT_TRANSACTION_TYPES = [
  'signup',
  'topup',
  'deduct',
  'refund',
  'promo',
  'adjustment',
  'chat',
] as const;
export type CreditTransactionType = (typeof CREDIT_TRANSACTION_TYPES)[number];

export type CreditHoldStatus = 'active' | 'captured' | 'released' | 'expired';
