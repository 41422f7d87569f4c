import { address, dataAt, graphql } from '../http.js';
import { AttackReport } from '../report.js';
import { createRoom, issueToken, createUser, membersOf, setRole, type AuditContext } from '../world.js';

/*
 * 6. Room roles: a moderator takes the room from its only owner, and the only owner
 * leaves or demotes themselves. Each case runs on a fresh room (owner, moderator,
 * member); who is owner afterwards is read back with the API key.
 */

const ATTACK = 6;

const MUTATIONS = {
  removeMember: `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { __typename ... on Error { code } } }`,
  setMemberRole: `mutation($i: SetMemberRoleInput!) { setMemberRole(input: $i) { __typename ... on Error { code } } }`,
  leaveRoom: `mutation($i: LeaveRoomInput!) { leaveRoom(input: $i) { __typename ... on Error { code } } }`,
};

export async function roomRoles(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Room roles: the owner keeps their room');
  const users = ['roles-owner', 'roles-owner2', 'roles-mod', 'roles-member'];
  const tokens = new Map<string, string>();
  for (const user of users) {
    await createUser(ctx, ctx.a, user, undefined);
    tokens.set(user, await issueToken(ctx, ctx.a, user));
  }
  let rooms = 0;
  const freshRoom = async (secondOwner = false) => {
    const roomId = `roles-room-${++rooms}`;
    await createRoom(ctx, ctx.a, roomId, 'roles-owner', ['roles-mod', 'roles-member', 'roles-owner2']);
    await setRole(ctx, ctx.a, roomId, 'roles-mod', 'MODERATOR');
    if (secondOwner) await setRole(ctx, ctx.a, roomId, 'roles-owner2', 'OWNER');
    return roomId;
  };
  const as = async (user: string, mutation: keyof typeof MUTATIONS, input: Record<string, unknown>) => {
    const answer = await graphql(
      ctx.url,
      MUTATIONS[mutation],
      { i: input },
      { authorization: `Bearer ${tokens.get(user)}` },
      address(ATTACK, 1),
    );
    return `${answer.status} ${String(dataAt(answer, `${mutation}.__typename`) ?? answer.codes.join(','))}${
      answer.codes.length > 0 ? ` ${answer.codes.join(',')}` : ''
    }`;
  };
  const owners = async (roomId: string) =>
    (await membersOf(ctx, ctx.a, roomId)).filter((m) => m.role === 'OWNER').map((m) => m.userId);

  const cases: {
    name: string;
    secondOwner?: boolean;
    run: (roomId: string) => Promise<string>;
    kept: (owners: string[]) => boolean;
    expected: string;
  }[] = [
    {
      name: 'a moderator removes the only owner',
      run: (r) => as('roles-mod', 'removeMember', { roomId: r, userId: 'roles-owner' }),
      kept: (o) => o.includes('roles-owner'),
      expected: 'FORBIDDEN; the owner stays',
    },
    {
      name: 'a moderator demotes the only owner to MEMBER',
      run: (r) => as('roles-mod', 'setMemberRole', { roomId: r, userId: 'roles-owner', role: 'MEMBER' }),
      kept: (o) => o.includes('roles-owner'),
      expected: 'FORBIDDEN; the owner stays',
    },
    {
      name: 'a moderator makes themselves OWNER',
      run: (r) => as('roles-mod', 'setMemberRole', { roomId: r, userId: 'roles-mod', role: 'OWNER' }),
      kept: (o) => !o.includes('roles-mod'),
      expected: 'FORBIDDEN',
    },
    {
      name: 'the only owner leaves (leaveRoom)',
      run: (r) => as('roles-owner', 'leaveRoom', { roomId: r }),
      kept: (o) => o.length > 0,
      expected: 'refused (or ownership passed on): the room keeps an owner',
    },
    {
      name: 'the only owner removes themselves (removeMember)',
      run: (r) => as('roles-owner', 'removeMember', { roomId: r, userId: 'roles-owner' }),
      kept: (o) => o.length > 0,
      expected: 'the room keeps an owner',
    },
    {
      name: 'the only owner demotes themselves to MEMBER',
      run: (r) => as('roles-owner', 'setMemberRole', { roomId: r, userId: 'roles-owner', role: 'MEMBER' }),
      kept: (o) => o.length > 0,
      expected: 'the room keeps an owner',
    },
  ];
  for (const c of cases) {
    const roomId = await freshRoom(c.secondOwner);
    const got = await c.run(roomId);
    const after = await owners(roomId);
    report.refused(c.name, c.kept(after), `${got}; owners after: ${after.join(', ') || 'none'}`, c.expected);
  }

  // What must still work: with a second owner, an owner leaves; an owner demotes a moderator.
  const shared = await freshRoom(true);
  const left = await as('roles-owner', 'leaveRoom', { roomId: shared });
  const afterLeave = await owners(shared);
  const demoted = await as('roles-owner2', 'setMemberRole', {
    roomId: shared,
    userId: 'roles-mod',
    role: 'MEMBER',
  });
  const modRole = (await membersOf(ctx, ctx.a, shared)).find((m) => m.userId === 'roles-mod')?.role;
  report.holds(
    'with two owners, one leaves; the other demotes the moderator',
    afterLeave.length === 1 && afterLeave[0] === 'roles-owner2' && modRole === 'MEMBER',
    `leave: ${left}, owners after: ${afterLeave.join(', ')}; demote: ${demoted}, the moderator is now ${modRole ?? '?'}`,
    'both succeed',
  );
  return report;
}
