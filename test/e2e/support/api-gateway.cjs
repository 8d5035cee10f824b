// A local stand-in for API Gateway (REST, Lambda proxy integration) in front of the BUILT verifier
// bundle, run as its own plain Node process like a Lambda container (the bundle keeps the SDK's
// `await import('node:http')`, which Jest's VM cannot run).
//
//   node api-gateway.cjs <dist/lambda/verifier/index.js>
//
// Listens on 127.0.0.1 (a free port) and prints `listening <port>` once ready. Each request becomes
// a REST proxy event (resource/path `/chat` or `/call`, headers and multiValueHeaders, the body
// base64-encoded with isBase64Encoded when its Content-Type matches E2E_BINARY_MEDIA_TYPES — the
// RestApi's binaryMediaTypes, a JSON array — else as UTF-8 text) and the handler's result is the
// HTTP response. With E2E_INGRESS=http-api it plays the HTTP API instead: each request becomes the
// payload format 2.0 event (route key from E2E_ROUTES, a JSON array of `POST /chat`…; no route → 404
// without invoking) and the answer is read as HTTP API reads it. Configuration comes from the
// environment, as in Lambda.
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const bundle = process.argv[2];
const binaryMediaTypes = JSON.parse(process.env.E2E_BINARY_MEDIA_TYPES || '[]');
const TIMEOUT_MS = Number(process.env.E2E_VERIFIER_TIMEOUT_MS || 10_000);
const INGRESS = process.env.E2E_INGRESS || 'rest-api';
const ROUTES = JSON.parse(process.env.E2E_ROUTES || '[]');
const { handler } = require(bundle);

function isBinary(contentType) {
  const type = String(contentType || '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  return binaryMediaTypes.some((m) => m === '*/*' || m.toLowerCase() === type);
}

// The same request → proxy-event mapping `happ-webhooks dev` uses (compiled by `npm run build`).
const { toProxyEvent, toHttpApiEvent, fromLambdaResponse } = require('../../../dist/bin/cli/dev/gateway.js');

function toEvent(req, raw) {
  if (INGRESS === 'http-api') return toHttpApiEvent(req, raw, randomUUID(), { routes: ROUTES });
  return toProxyEvent(req, raw, randomUUID(), {
    binary: isBinary(req.headers['content-type']),
    stage: 'prod',
  });
}

function lambdaContext() {
  const deadline = Date.now() + TIMEOUT_MS;
  return {
    functionName: 'verifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:verifier',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/verifier',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

let announced = false;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const event = toEvent(req, Buffer.concat(chunks));
      if (!announced) {
        // Once: which event shape the verifier gets, so the suite can check it ran on the one it meant.
        announced = true;
        console.error(JSON.stringify({ gateway: 'first event', payloadFormat: event.version || '1.0' }));
      }
      if (event.routeKey === '$default') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      const result = fromLambdaResponse(await handler(event, lambdaContext()), INGRESS);
      const body = result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : Buffer.from(result.body || '');
      res.writeHead(result.statusCode, { ...result.headers, 'content-length': body.length });
      res.end(body);
    } catch (error) {
      // What API Gateway answers when the integration fails.
      console.error(JSON.stringify({ gateway: 'integration error', error: String(error) }));
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal server error' }));
    }
  });
});

server.keepAliveTimeout = 1_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
