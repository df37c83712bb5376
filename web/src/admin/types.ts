/** A keyset page of any admin list. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
