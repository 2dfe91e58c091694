import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { oneLine } from '../../../agent/errors';
import { KeyedFailureWindows, type RateLimit } from '../rateLimit';
import { GraphError, graphErrorBody } from './graphError';
import { registerAssignmentFilterRoutes } from './routes/assignmentFilters';
import { CONSOLE_OPEN_PATHS, registerConsoleRoutes, type ConsoleDeps } from './routes/console';
import { registerEnrollmentProfileRoutes } from './routes/enrollmentProfiles';
import { registerGroupRoutes } from './routes/groups';
import { registerIntuneResourceRoutes } from './routes/intuneResources';
import { registerManagedDeviceRoutes } from './routes/managedDevices';
import { HEALTH_PATH, registerSimulatorRoutes } from './routes/simulator';
import type { RouteDeps } from './routeDeps';
import { BackendMetrics } from '../metrics/backendMetrics';

export interface AdminAppOptions {
  deps: RouteDeps;
  /** When set, every request but GET /simulator/health needs `Authorization: Bearer <key>`. */
  adminKey: string | null;
  bodyLimitBytes: number;
  /** Failed admin-key attempts per remote address before further requests get 429. */
  authLimit: RateLimit;
  /** Certificate and key (PEM): the app then serves HTTPS. */
  https?: { cert: string; key: string };
  /** Times every request and serves GET /metrics (behind the admin key when there is one). */
  metrics?: BackendMetrics;
  /** What POST /simulator/reset does; left out, the route answers 404. */
  reset?: () => Promise<void>;
  /** The admin console (its pages and API); left out, the backend serves none. */
  console?: ConsoleDeps;
}

/** The compiler factory for JSON schemas in routes, which this app does not use. */
function noJsonSchema(): never {
  throw new Error('admin routes check their input with zod (parseWith), not with a fastify JSON schema');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The admin API: Graph-shaped routes under /beta and the simulator's own under /simulator. Every error
 * leaves in Graph's shape; request bodies are JSON of at most bodyLimitBytes (413 above).
 */
export function buildAdminApp(options: AdminAppOptions): FastifyInstance {
  const { deps, adminKey, bodyLimitBytes } = options;
  // Fastify types an HTTPS instance apart; routes and hooks are the same for both.
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    logger: false,
    bodyLimit: bodyLimitBytes,
    genReqId: () => randomUUID(),
    forceCloseConnections: true,
    // Graph answers no HEAD requests, and fastify's HEAD twin of every GET route was three quarters of
    // the cost of building this app (a backend per model path and per scenario): a HEAD is a 404.
    exposeHeadRoutes: false,
    // Every route checks its input with zod (parseWith); no route declares a JSON schema, so fastify's
    // ajv and fast-json-stringify compilers are never loaded (they were a tenth of the CLI's start-up).
    schemaController: { compilersFactory: { buildValidator: noJsonSchema, buildSerializer: noJsonSchema } },
    clientErrorHandler: answerUnreadableRequest,
    // A path fastify cannot decode ("%zz") never reaches a route or the error handler: answer it here.
    frameworkErrors: (error, request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .type('application/json')
        .send(
          graphErrorBody('BadRequest', `Invalid request: ${oneLine(error)}`, String(request.id), new Date()),
        );
    },
  }) as unknown as FastifyInstance;

  // Fastify's own parser answers an empty JSON body with an error; Graph actions such as revokeToken are
  // commonly posted with no body at all. Anything else that is not JSON is one clear 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (_request, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(
          new GraphError(400, 'BadRequest', `The request body is not valid JSON: ${oneLine(error)}`),
          undefined,
        );
      }
    },
  );

  const keyDigest = adminKey === null ? null : digest(adminKey);
  const authFailures = new KeyedFailureWindows(options.authLimit, Date.now);
  app.addHook('onRequest', async (request) => {
    if (keyDigest === null) return;
    // The console's page and script hold no data: the page asks for the key and sends it on every call.
    if (request.method === 'GET' && request.url.split('?')[0] === HEALTH_PATH) return;
    if (request.method === 'GET' && CONSOLE_OPEN_PATHS.has(request.url.split('?')[0]!)) return;
    const failures = authFailures.get(request.ip);
    if (failures.blocked()) {
      const seconds = Math.ceil(failures.retryAfterMs() / 1000);
      throw new GraphError(
        429,
        'TooManyRequests',
        `too many requests with a wrong admin key; retry in ${seconds} s`,
        { 'retry-after': String(seconds) },
      );
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), keyDigest)) {
      failures.fail();
      throw new GraphError(
        401,
        'InvalidAuthenticationToken',
        'this backend needs its admin key: send Authorization: Bearer <admin key>',
      );
    }
  });

  app.setErrorHandler((error: FastifyError | GraphError, request, reply) => {
    const send = (status: number, code: string, message: string) =>
      reply
        .code(status)
        .type('application/json')
        .send(graphErrorBody(code, message, String(request.id), new Date()));
    if (error instanceof GraphError) {
      reply.headers(error.headers);
      return send(error.status, error.code, error.message);
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(413, 'RequestEntityTooLarge', `the request body is larger than ${bodyLimitBytes} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(
          415,
          'UnsupportedMediaType',
          'request bodies are JSON: send Content-Type: application/json',
        );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return send(error.statusCode, 'BadRequest', oneLine(error.message));
    }
    deps.log(`internal error on ${request.method} ${request.url.split('?')[0]}: ${oneLine(error)}`);
    return send(500, 'InternalServerError', 'the simulator failed on this request');
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .type('application/json')
      .send(
        graphErrorBody(
          'ResourceNotFound',
          `no route ${request.method} ${request.url.split('?')[0]}`,
          String(request.id),
          new Date(),
        ),
      );
  });

  const { metrics } = options;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      // The route's pattern, not its path: one series per route, whatever ids are in the URL.
      metrics.httpRequest(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
    app.get(BackendMetrics.PATH, async (_request, reply) => {
      const { contentType, text } = await metrics.scrape();
      return reply.type(contentType).send(text);
    });
  }

  registerEnrollmentProfileRoutes(app, deps);
  registerManagedDeviceRoutes(app, deps);
  registerAssignmentFilterRoutes(app, deps);
  registerGroupRoutes(app, deps);
  registerIntuneResourceRoutes(app, deps);
  registerSimulatorRoutes(app, deps, options.reset);
  if (options.console)
    registerConsoleRoutes(app, deps, { ...options.console, adminKeyRequired: adminKey !== null });
  return app;
}

/**
 * What HTTP itself cannot read (a body with no length that runs into the next request, headers over the
 * limit, a request that never finishes) is answered in Graph's error shape too, and the connection is
 * closed: nothing after the bad bytes on it can be trusted.
 */
function answerUnreadableRequest(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'RequestTimeout', 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'RequestHeaderFieldsTooLarge', 'the request headers are too large']
        : [400, 'BadRequest', `the request is not readable HTTP (${error.code ?? 'parse error'})`];
  const body = JSON.stringify(graphErrorBody(code, message, randomUUID(), new Date()));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
