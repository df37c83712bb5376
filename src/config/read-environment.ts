import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { RawEnvironment } from './environment';

/**
 * The process environment over an optional `.env` file in the working directory. The only place
 * that reads `process.env`.
 */
export function readEnvironment(envFile = '.env'): RawEnvironment {
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
  return { ...fromFile, ...process.env };
}
