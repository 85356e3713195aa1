import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI document of an application: served at /api/docs-json, and the source of packages/api-contract. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Consult-On API')
      .setDescription('AI chat consultation with metered tokens: accounts, usage, purchases, administration.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
}
