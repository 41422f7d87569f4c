/*
 * The document GraphiQL opens with: example operations covering the schema's main
 * paths. Pick one with the run button's menu.
 */

export const GRAPHIQL_TITLE = 'chat-bff GraphiQL';

export const GRAPHIQL_DEFAULT_DOCUMENT = `# chat-bff GraphQL API
#
# Authenticate in the "Headers" tab below, with any of:
#   { "Authorization": "Bearer <client token>" }
#   { "IM-CLIENT-KEY": "<client key>", "IM-Authorization": "<client token>" }
#   { "X-User-Id": "<user id>", "X-Auth-Token": "<Rocket.Chat auth token>" }
# (\`npm start\` prints the demo tokens; \`npx chat-bff token issue --app <app> --user <user>\` issues one.)
# Choose an operation with the arrow next to the run button.

query MyRooms {
  viewer {
    userId
    nickname
    rooms(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          roomId
          name
          unread
          muted
          pref { tags folder sticky hidden }
          lastMessage { messageId message messageType messageTime sender { userId nickname } }
          members(first: 5) { totalCount edges { node { userId nickname role badge } } }
          viewerMembership { role badge lastRead { messageId } }
        }
      }
    }
  }
}

query UnreadTaggedRooms {
  viewer {
    rooms(
      first: 10
      filter: { hasUnread: true, tags: ["work"], hidden: false }
      orderBy: [{ field: UNREAD_COUNT, direction: DESC }, { field: NAME, direction: ASC }]
    ) {
      edges { node { roomId name unread pref { tags } } }
    }
  }
}

query RoomsChangedSince {
  viewer {
    rooms(first: 50, filter: { updatedAfter: "2024-01-01T00:00:00Z" }, unreadFirst: true) {
      edges { cursor node { roomId name updatedTime unread } }
      pageInfo { hasNextPage endCursor }
    }
  }
}

query RoomHistory {
  room(id: "demo-room") {
    id
    name
    description
    roomType
    messages(last: 20) {
      totalCount
      userDeletedIds
      pageInfo { hasPreviousPage startCursor }
      edges {
        node {
          messageId
          message
          messageType
          messageTime
          isDeleted
          deletedForViewer
          reactions { key count viewerReacted }
          sender { userId nickname avatarUrl }
        }
      }
    }
  }
}

query OlderMessages {
  # Paste pageInfo.startCursor of RoomHistory here to page back.
  room(id: "demo-room") {
    messages(last: 20, before: "<startCursor>") {
      pageInfo { hasPreviousPage startCursor }
      edges { node { messageId message messageTime } }
    }
  }
}

query MessagesUpdatedSince {
  room(id: "demo-room") {
    messages(first: 50, filter: { afterTime: 0, timeRangeField: UPDATED_AT, messageTypes: ["text"] }) {
      edges { node { messageId updatedAt isDeleted } }
    }
  }
}

query RefetchByGlobalId {
  # Any id field of a Room, Message, Member or User works here.
  node(id: "<a global id>") {
    id
    __typename
    ... on Room { roomId name }
    ... on Message { messageId message }
    ... on Member { userId role badge }
    ... on User { userId nickname }
  }
}
`;
