export { readCookie } from '../common/http/cookies';

export const STATE_COOKIE = 'sah_oauth_state';
