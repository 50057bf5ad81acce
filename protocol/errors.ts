// The closed set of error codes every part of tsdfs speaks, their HTTP statuses, and the
// RemoteException shape (the same one WebHDFS uses) that carries them over the wire.
import { z } from 'zod';

/** Each code maps to exactly one HTTP status; the compiler keeps this table exhaustive. */
export const errorStatusByCode = {
  InvalidPath: 400,
  InvalidRequest: 400,
  FileNotFound: 404,
  FileAlreadyExists: 409,
  ParentNotDirectory: 400,
  PathIsNotEmptyDirectory: 409,
  PathIsDirectory: 400,
  PathIsNotDirectory: 400,
  LeaseConflict: 409,
  LeaseExpired: 409,
  NotReplicatedYet: 503,
  NotEnoughDatanodes: 503,
  AccessDenied: 403,
  Unauthorized: 401,
  SafeMode: 503,
  LimitExceeded: 413,
  UnknownBlock: 404,
  StaleGenerationStamp: 409,
  ChecksumMismatch: 409,
  DiskFull: 507,
  Incompatible: 409,
  ReplicaNotFound: 404,
  Unavailable: 503,
  Internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatusByCode;
export const errorCodes = Object.keys(errorStatusByCode) as ErrorCode[];

/** Hadoop's exception class names, so WebHDFS clients recognise what they get. */
export const hadoopExceptionByCode: Record<ErrorCode, string> = {
  InvalidPath: 'InvalidPathException',
  InvalidRequest: 'IllegalArgumentException',
  FileNotFound: 'FileNotFoundException',
  FileAlreadyExists: 'FileAlreadyExistsException',
  ParentNotDirectory: 'ParentNotDirectoryException',
  PathIsNotEmptyDirectory: 'PathIsNotEmptyDirectoryException',
  PathIsDirectory: 'PathIsDirectoryException',
  PathIsNotDirectory: 'PathIsNotDirectoryException',
  LeaseConflict: 'AlreadyBeingCreatedException',
  LeaseExpired: 'LeaseExpiredException',
  NotReplicatedYet: 'NotReplicatedYetException',
  NotEnoughDatanodes: 'NotEnoughReplicasException',
  AccessDenied: 'AccessControlException',
  Unauthorized: 'AuthenticationException',
  SafeMode: 'SafeModeException',
  LimitExceeded: 'LimitExceededException',
  UnknownBlock: 'ReplicaNotFoundException',
  StaleGenerationStamp: 'GenerationStampException',
  ChecksumMismatch: 'ChecksumException',
  DiskFull: 'DiskOutOfSpaceException',
  Incompatible: 'IncorrectVersionException',
  ReplicaNotFound: 'ReplicaNotFoundException',
  Unavailable: 'RetriableException',
  Internal: 'IOException',
};

const codeByHadoopException = new Map<string, ErrorCode>(
  errorCodes.map((code) => [hadoopExceptionByCode[code], code] as const),
);

/** An operating error: expected, typed, reported to the caller. Never used for bugs. */
export class DfsError extends Error {
  override readonly name = 'DfsError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return errorStatusByCode[this.code];
  }
  toRemoteException(): RemoteException {
    return {
      RemoteException: {
        exception: hadoopExceptionByCode[this.code],
        javaClassName: `tsdfs.${hadoopExceptionByCode[this.code]}`,
        code: this.code,
        message: this.message,
      },
    };
  }
}

export const RemoteException = z.object({
  RemoteException: z.object({
    exception: z.string(),
    javaClassName: z.string().optional(),
    code: z.string().optional(),
    message: z.string(),
  }),
});
export type RemoteException = z.infer<typeof RemoteException>;

/** Rebuilds the typed error a server sent; unknown shapes become `Internal` with the text. */
export function dfsErrorFromResponse(status: number, body: unknown): DfsError {
  const parsed = RemoteException.safeParse(body);
  if (!parsed.success) {
    return new DfsError(status >= 500 ? 'Internal' : 'InvalidRequest', `HTTP ${status}: ${String(JSON.stringify(body) ?? '').slice(0, 200)}`);
  }
  const remote = parsed.data.RemoteException;
  const code =
    (remote.code !== undefined && remote.code in errorStatusByCode ? (remote.code as ErrorCode) : undefined) ??
    codeByHadoopException.get(remote.exception) ??
    'Internal';
  return new DfsError(code, remote.message);
}

/** Turns a zod failure into one readable line naming the fields at fault. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new DfsError('InvalidRequest', `invalid ${what}: ${describeZodError(result.error)}`);
  return result.data;
}
