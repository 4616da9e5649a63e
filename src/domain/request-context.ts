/**
 * Who asked and under which request id: carried from the HTTP request into every workflow it starts
 * (memo + search attributes) so an operator can trace a workflow back to the request and its caller.
 */
export interface RequestContext {
  requestId: string;
  principal: string;
}
