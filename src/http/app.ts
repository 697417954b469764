/**
 * The HTTP API. Order of registration: external plugins first (OpenAPI must see every route as it is
 * added), then our cross-cutting plugins (errors, auth), then the routes that rely on both.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { auth } from './auth.ts';
import { installErrorHandling } from './errors.ts';
import { healthRoutes } from './routes/health.ts';
import { inmailRoutes } from './routes/inmail.ts';
import { meRoutes } from './routes/me.ts';
import { memberRoutes } from './routes/members.ts';
import { userRoutes } from './routes/users.ts';
import { ErrorBody } from './schemas.ts';

export interface AppOptions {
  db: Database;
  logger: Logger;
  publicUrl: string;
}

export async function buildApp({ db, logger, publicUrl }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'talentsync',
        version: '0.1.0',
        description:
          'Email and calendar sync for recruiting teams. Authenticate with `Authorization: Bearer <token>`.',
      },
      servers: [{ url: publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.addSchema(ErrorBody);

  installErrorHandling(app);
  await app.register(auth, { db });

  await app.register(healthRoutes, { db });
  await app.register(meRoutes, { db });
  await app.register(userRoutes, { db });
  await app.register(memberRoutes, { db });
  await app.register(inmailRoutes, { db });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  return app;
}
