import { UseMiddleware } from 'type-graphql';
import type { Context } from '../shared/context';
import { forbidden } from '../../core/errors';
import { prefixOfId } from '../../core/ids';
import { quoted } from '../../core/names';

/** Pulls the model reference (a model id or name, or the id of an object that belongs to one) from an operation's arguments. */
export type ModelRefOf = (args: Record<string, any>) => string | null | undefined;

/**
 * Declares that an operation touches one model, so keys with a modelScope (PARTNER keys) may call
 * it only for their models. Any other key passes. An unknown model is FORBIDDEN, not NOT_FOUND,
 * so a partner cannot probe which models exist.
 *
 * @example `@ModelScoped((args) => args.input.model)` on predict.
 */
export function ModelScoped(refOf: ModelRefOf): MethodDecorator {
  return UseMiddleware(async ({ args, context }: { args: Record<string, any>; context: Context }, next) => {
    await assertModelScope(context, refOf(args));
    return next();
  });
}

/**
 * The check itself. Subscriptions must call it in their `subscribe` function too: type-graphql
 * runs middlewares per event (resolve), not when the subscription starts.
 */
export async function assertModelScope(context: Context, ref: string | null | undefined): Promise<void> {
  const scope = context.caller?.modelScope;
  if (!scope) return;
  const modelId = ref ? await context.nodes.modelIdOf(ref) : null;
  if (modelId && scope.includes(modelId)) return;
  // Say which model was asked for, by the name or id the client gave; for another object (a run,
  // a version) name that object: its model's name would tell a partner about a model it cannot use.
  const modelRef = !ref || prefixOfId(ref) === null || (await context.nodes.modelId(ref)) !== null;
  const named = modelRef ? `model ${quoted(ref ?? '')}` : `${quoted(ref)}, which does not belong to one of its models`;
  throw forbidden(`this key may not use ${named}`);
}
