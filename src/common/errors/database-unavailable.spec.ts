import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });

  it.each(['ECONNREFUSED', 'ECONNRESET', '08006', '08001', '57P01', '57P03', '53300'])(
    '%s is an outage',
    (code) => expect(isDatabaseUnavailable(withCode(code))).toBe(true),
  );

  it('sees through TypeORM (driverError), causes and AggregateError', () => {
    expect(isDatabaseUnavailable({ driverError: withCode('57P01') })).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrap', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED')]))).toBe(true);
  });

  it("knows node-postgres' own texts for a pool timeout and a dropped connection", () => {
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    const released = Object.assign(new Error('released'), {
      name: 'QueryRunnerProviderAlreadyReleasedError',
    });
    expect(isDatabaseUnavailable(released)).toBe(true);
  });

  it('is not fooled by data errors or bugs', () => {
    expect(isDatabaseUnavailable(withCode('23505'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('22021'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
