/** Erasing people: the admin request, its audit record (hashed ids) and the `POST /admin/erase` route. */
export { ERASURE_SUMMARY_KEY, type ErasureAudit, erasureAudit, erasureSummary, userHash } from './audit.ts'
export {
  type ErasureRequest,
  ErasureRequestError,
  MAX_ERASURE_USERS,
  parseErasureRequest,
} from './request.ts'
export { type EraseUsers, type ErasureOutcome, erasureRoute } from './route.ts'
