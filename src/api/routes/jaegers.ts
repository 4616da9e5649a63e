/** `GET /v1/jaegers` (filter by shatterdome and status, keyset pages) and `GET /v1/jaegers/{id}` with its recent maintenance. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { JAEGER_COLUMNS, toJaeger, type JaegerRow } from '../../activities/maintenance/rows';
import { jaegerDetailSchema, jaegerListQuery, jaegerSchema, jaegerToWire } from '../../domain/maintenance/api';
import { jaegerIdSchema, type Jaeger } from '../../domain/maintenance/jaeger';
import { readers } from '../../domain/roles';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import '../route-config';

const RECENT_MAINTENANCE = 5;

export async function loadJaeger(pool: Pool, jaegerId: string): Promise<Jaeger | undefined> {
  const { rows } = await pool.query<JaegerRow>(`SELECT ${JAEGER_COLUMNS} FROM jaegers WHERE jaeger_id = $1`, [jaegerId]);
  return rows[0] ? toJaeger(rows[0]) : undefined;
}

export async function jaegerRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const pool = () => deps.stores.postgres.pool();

  api.get(
    '/v1/jaegers',
    {
      config: { roles: readers },
      schema: {
        tags: ['maintenance'],
        summary: 'The fleet, by jaeger id; `next_after` continues the list',
        querystring: jaegerListQuery,
        response: { 200: z.object({ items: z.array(jaegerSchema), next_after: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { shatterdome, status, limit, after } = request.query;
      const { rows } = await pool().query<JaegerRow>(
        `SELECT ${JAEGER_COLUMNS} FROM jaegers
         WHERE ($1::text IS NULL OR shatterdome = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR jaeger_id > $3)
         ORDER BY jaeger_id LIMIT $4`,
        [shatterdome ?? null, status ?? null, after ?? null, limit + 1],
      );
      const page = rows.slice(0, limit).map((row) => jaegerToWire(toJaeger(row)));
      return { items: page, next_after: rows.length > limit ? page[page.length - 1]!.jaeger_id : null };
    },
  );

  api.get(
    '/v1/jaegers/:jaeger_id',
    {
      config: { roles: readers },
      schema: {
        tags: ['maintenance'],
        summary: 'A jaeger and its most recent maintenance requests',
        params: z.object({ jaeger_id: jaegerIdSchema }),
        response: { 200: jaegerDetailSchema },
      },
    },
    async (request) => {
      const jaeger = await loadJaeger(pool(), request.params.jaeger_id);
      if (!jaeger) throw notFound(`no jaeger ${request.params.jaeger_id}`);
      const { rows } = await pool().query<{ maintenance_id: string; type: string; position: string; outcome: string | null; created_at: Date }>(
        `SELECT maintenance_id, type, position, outcome, created_at FROM maintenance_requests
         WHERE jaeger_id = $1 ORDER BY created_at DESC LIMIT $2`,
        [jaeger.jaegerId, RECENT_MAINTENANCE],
      );
      return {
        ...jaegerToWire(jaeger),
        maintenance: rows.map((row) => ({
          maintenance_id: row.maintenance_id,
          type: row.type,
          position: row.position,
          outcome: row.outcome,
          created_at: row.created_at.toISOString(),
          status_url: `/v1/maintenance/${row.maintenance_id}`,
        })),
      };
    },
  );
}
