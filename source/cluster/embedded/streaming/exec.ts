// PLACEHOLDER — being written (kubectl exec over WebSocket). Replace whole.
import { ApiError } from '../api-error.js';
import { rejectUpgrade, type StreamingRequest } from './upgrade.js';

export function handleExec(request: StreamingRequest): void {
  rejectUpgrade(request.socket, new ApiError(501, 'NotImplemented', 'exec is not implemented yet'));
}
