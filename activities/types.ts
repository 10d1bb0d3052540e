/** The only thing workflows import from activities/: types. */
export type { Activities } from './index';
