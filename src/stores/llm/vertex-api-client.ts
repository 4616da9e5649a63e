/**
 * The `apiClient` ChatGoogle sends its requests through: adds Vertex AI credentials and, when an endpoint is
 * configured (a private endpoint, or the tests' loopback stand-in), sends the request there instead of
 * https://<location>-aiplatform.googleapis.com, keeping the path (`/v1/projects/.../models/<model>:generateContent`).
 *
 * It has the shape of @langchain/google's ApiClient (hasApiKey, getProjectId, fetch); the package does not
 * export the class itself.
 */
import type { VertexAuth } from './vertex-auth';

export interface VertexApiClientOptions {
  auth: VertexAuth;
  /** Configured project; empty = the credentials' own. */
  projectId: string;
  /** Base URL replacing the Google host, e.g. http://127.0.0.1:8719. */
  endpoint?: string;
}

export class VertexApiClient {
  constructor(private readonly options: VertexApiClientOptions) {}

  /** Express mode (an API key) uses the project-less URL; ChatGoogle asks this to build it. */
  hasApiKey(): boolean {
    return this.options.auth.kind === 'api-key';
  }

  async getProjectId(): Promise<string> {
    const project = this.options.projectId || (await this.options.auth.projectId());
    if (!project) throw new Error('Vertex AI project unknown: set ALERTS_LLM_PROJECT_ID');
    return project;
  }

  async fetch(request: Request): Promise<Response> {
    const headers = new Headers(request.headers);
    await this.options.auth.apply(headers, request.signal);
    return fetch(this.target(request.url), {
      method: request.method,
      headers,
      body: request.method === 'GET' ? undefined : await request.text(),
      signal: request.signal,
    });
  }

  private target(url: string): string {
    if (!this.options.endpoint) return url;
    const original = new URL(url);
    return `${this.options.endpoint.replace(/\/+$/, '')}${original.pathname}${original.search}`;
  }
}
