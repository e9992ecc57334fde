/**
 * A minimal client for an agent's local HTTP API: GET a path, get JSON back,
 * with a deadline, a body size limit, and typed errors whose messages name the
 * agent URL and the underlying cause.
 */
import { QUOTE_CHARS_MAX, REQUEST_TIMEOUT_MS_DEFAULT, RESPONSE_BYTES_MAX } from './constants.js'
import { AgentHttpError, AgentTimeoutError, AgentUnreachableError, BadResponseError } from './errors.js'
import { sanitize } from './format.js'
import { clip, isPlainObject } from './values.js'

export interface AgentClientInit {
  /** Base URL of the agent's API without a trailing slash, e.g. `http://127.0.0.1:7401`. */
  readonly baseUrl: string
  readonly fetch: typeof fetch
  /**
   * Deadline for one request, body included.
   * @default REQUEST_TIMEOUT_MS_DEFAULT (5000)
   */
  readonly timeoutMs?: number
  /**
   * Largest response body accepted.
   * @default RESPONSE_BYTES_MAX (16 MiB)
   */
  readonly responseBytesMax?: number
}

export interface AgentClient {
  /** GETs `path` (starting with `/`) and returns the parsed JSON body of a 2xx answer. */
  getJson: (path: string, options?: { signal?: AbortSignal }) => Promise<unknown>
  /** POST a JSON body, read a JSON answer; same deadline and errors as getJson. */
  postJson: (path: string, body: unknown, options?: { signal?: AbortSignal }) => Promise<unknown>
}

export function agentClient (init: AgentClientInit): AgentClient {
  const timeoutMs = init.timeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT
  const bytesMax = init.responseBytesMax ?? RESPONSE_BYTES_MAX
  const base = init.baseUrl
  const request = async (method: 'GET' | 'POST', path: string, payload: unknown, options?: { signal?: AbortSignal }): Promise<unknown> => {
    const deadline = AbortSignal.timeout(timeoutMs)
    const signal = options?.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal])
    let status: number
    let statusText: string
    let text: string
    try {
      const res = await init.fetch(`${base}${path}`, {
        method,
        signal,
        headers: method === 'POST' ? { accept: 'application/json', 'content-type': 'application/json' } : { accept: 'application/json' },
        body: method === 'POST' ? JSON.stringify(payload) : undefined
      })
      status = res.status
      statusText = res.statusText
      text = await readBody(res, bytesMax, base)
    } catch (err) {
      throw requestError(err, base, timeoutMs, deadline)
    }
    const body = parseJson(text)
    if (status < 200 || status > 299) {
      throw new AgentHttpError(`agent at ${base} answered ${status}${statusText === '' ? '' : ` ${statusText}`} for ${method} ${path}${errorDetail(body, text)}`, status)
    }
    if (body === undefined) throw new BadResponseError(`agent at ${base} answered ${method} ${path} with something that is not JSON: ${JSON.stringify(clip(text))}`)
    return body
  }
  return {
    getJson: async (path, options) => await request('GET', path, undefined, options),
    postJson: async (path, payload, options) => await request('POST', path, payload, options)
  }
}

async function readBody (res: Response, bytesMax: number, base: string): Promise<string> {
  const tooLarge = (): BadResponseError => new BadResponseError(`agent at ${base} sent a response larger than ${bytesMax} bytes`)
  if (Number(res.headers.get('content-length') ?? 0) > bytesMax) {
    await res.body?.cancel()
    throw tooLarge()
  }
  if (res.body === null) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > bytesMax) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

function requestError (err: unknown, base: string, timeoutMs: number, deadline: AbortSignal): Error {
  if (err instanceof BadResponseError) return err
  if (deadline.aborted) return new AgentTimeoutError(`cannot reach agent at ${base}: no answer within ${timeoutMs} ms`, { cause: err })
  // A caller's own abort is not a failure to reach the agent; pass it on unchanged.
  if (err instanceof Error && err.name === 'AbortError') return err
  return new AgentUnreachableError(`cannot reach agent at ${base}: ${rootCause(err)}`, { cause: err })
}

/**
 * fetch reports `TypeError: fetch failed` and hides the reason in `cause`
 * (e.g. `connect ECONNREFUSED 127.0.0.1:7401`); connecting to a name with
 * several addresses nests an AggregateError with an empty message.
 */
export function rootCause (err: unknown): string {
  let e: unknown = err
  for (let depth = 0; depth < 8; depth++) {
    if (e instanceof AggregateError && e.errors.length > 0 && e.message === '') e = e.errors[0]
    else if (e instanceof Error && e.cause !== undefined) e = e.cause
    else break
  }
  if (e instanceof Error) {
    const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined
    return e.message !== '' ? e.message : code ?? e.name
  }
  return String(e)
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The `error` field of an error body (a string, or an object with a message), else the start of the raw body. */
function errorDetail (body: unknown, text: string): string {
  const field = isPlainObject(body) ? body.error : undefined
  const message = typeof field === 'string' ? field : isPlainObject(field) && typeof field.message === 'string' ? field.message : undefined
  const detail = message ?? text.trim()
  return detail === '' ? '' : `: ${sanitize(clip(detail, QUOTE_CHARS_MAX))}`
}
