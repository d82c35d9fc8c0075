// A Kubernetes Status error. Everything that rejects a request throws one of
// these; the HTTP layer turns it into the Status body kubectl prints.
export interface StatusCause {
  reason?: string;
  message: string;
  /** Field path, e.g. `spec.listeners[0].port`. */
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    /** Kubernetes reason: NotFound, AlreadyExists, Invalid, BadRequest, Conflict, Unauthorized, UnsupportedMediaType, MethodNotAllowed, ... */
    readonly reason: string,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }

  static notFound(resource: string, name: string, group = ''): ApiError {
    return new ApiError(404, 'NotFound', `${group ? `${resource}.${group}` : resource} "${name}" not found`, { name, group, kind: resource });
  }
  static alreadyExists(resource: string, name: string, group = ''): ApiError {
    return new ApiError(409, 'AlreadyExists', `${group ? `${resource}.${group}` : resource} "${name}" already exists`, { name, group, kind: resource });
  }
  /** 404 for a path that addresses nothing (no such kind, scope or subresource). */
  static noSuchResource(details: StatusDetails = {}): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', details);
  }
  static methodNotAllowed(): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }
  static conflict(message: string, details: StatusDetails = {}): ApiError {
    return new ApiError(409, 'Conflict', message, details);
  }
  /** 409 for a write whose resourceVersion is no longer the stored one. */
  static modified(resource: string, name: string | undefined, group = ''): ApiError {
    return ApiError.conflict(
      `Operation cannot be fulfilled on ${group ? `${resource}.${group}` : resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group, kind: resource },
    );
  }
  /** 422 with one cause per invalid field, as the real API server words it. */
  static invalid(kind: string, name: string, causes: StatusCause[], group = ''): ApiError {
    const list = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`).join(', ');
    return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${list}`, { name, group, kind, causes });
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
