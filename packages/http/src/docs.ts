import express, { type Router } from 'express';
import swaggerUiDist from 'swagger-ui-dist';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// No inline script: the initializer is a file of its own, so helmet's default CSP (script-src 'self')
// applies to the docs page too.
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** Swagger UI at /docs, reading /openapi.json, served from swagger-ui-dist's files. */
export function docsRouter(serviceName: string): Router {
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(serviceName)} API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
`;
  const router = express.Router({ strict: true });
  router.get(['/', ''], (_req, res) => {
    res.type('html').send(html);
  });
  router.get('/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').send(INITIALIZER);
  });
  router.use(express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
  return router;
}
