/** What every stored entity carries: identity, optimistic-locking version and who/when. */
export interface EntityMeta {
  id: string;
  /** Incremented by every write, under a condition; the API's ETag. */
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy?: string;
  updatedBy?: string;
}
