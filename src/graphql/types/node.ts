import { brandWithType } from '@pothos/core';
import { getMessageForViewer } from '../../domain/messages/message.service.js';
import { NotFoundError } from '../../domain/errors.js';
import { getRoomForViewer } from '../../domain/rooms/room.service.js';
import { NODE_COST, NODES_COST } from '../cost.js';
import { builder, type GraphQLContext } from '../builder.js';
import { loadMemberNode, MemberRef } from './member.js';
import { MessageRef } from './message.js';
import { RoomRef } from './room.js';
import { loadUserNode, UserRef } from './user.js';

/*
 * Relay's node(id) and nodes(ids). Each type loads through its service, so the same
 * rules apply as on every other path (a room the viewer is not in stays invisible).
 * nodes() resolves each id on its own: one invisible id is null with its own error and
 * does not take its neighbours down with it.
 */

type NodeType = Parameters<typeof brandWithType>[1];

const loaders: Record<
  string,
  { type: NodeType; load: (ctx: GraphQLContext, key: string) => Promise<object> }
> = {
  Room: { type: RoomRef, load: getRoomForViewer },
  Message: { type: MessageRef, load: getMessageForViewer },
  Member: { type: MemberRef, load: loadMemberNode },
  User: { type: UserRef, load: loadUserNode },
};

async function loadNode(ctx: GraphQLContext, id: { typename: string; id: string }): Promise<object> {
  // Own keys only: "constructor" or "__proto__" from a hostile id must not find Object.prototype's.
  const loader = Object.hasOwn(loaders, id.typename) ? loaders[id.typename] : undefined;
  if (!loader)
    throw new NotFoundError(`Could not resolve to a node with the global id of type "${id.typename}"`);
  const node = await loader.load(ctx, id.id);
  // Tells the Node interface which object type this is.
  brandWithType(node, loader.type);
  return node;
}

const NodeRef = builder.nodeInterfaceRef();

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description:
      'Fetches any object by its global id: null (with an error) if it does not exist or is not visible.',
    args: { id: t.arg.globalID({ required: true }) },
    complexity: NODE_COST,
    resolve: (_root, args, ctx) => loadNode(ctx, args.id),
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description:
      'Fetches objects by global ids, in order; each one that cannot be seen is null with its own error.',
    args: { ids: t.arg.globalIDList({ required: true }) },
    complexity: NODES_COST,
    // Errors as values, each in its place: graphql-jit mishandles rejected promises among list items.
    resolve: (_root, args, ctx) =>
      Promise.all(
        args.ids.map((id) =>
          loadNode(ctx, id).catch((error: unknown) =>
            error instanceof Error ? error : new Error(String(error)),
          ),
        ),
      ),
  }),
}));
