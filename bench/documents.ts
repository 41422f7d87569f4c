/*
 * The GraphQL operations the bench sends: what a chat app's first screen, a room's history
 * and a room's member list ask for. The floors answer exactly these selections.
 */

export const GQL_ROOMS = `query BenchRooms($first: Int!) {
  viewer {
    rooms(first: $first) {
      edges {
        cursor
        node {
          id
          roomId
          name
          roomType
          unread
          updatedTime
          lastMessage { messageId message messageType createdAt sender { userId nickname avatarUrl } }
          pref { tags sticky muted hidden folder }
          members(first: 5) { edges { node { userId nickname avatarUrl role } } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export const GQL_MESSAGES = `query BenchMessages($roomId: String!, $before: String) {
  room(id: $roomId) {
    messages(last: 50, before: $before) {
      edges {
        cursor
        node { id messageId message messageType createdAt reactionCount sender { userId nickname avatarUrl } }
      }
      pageInfo { hasPreviousPage startCursor }
    }
  }
}`;

export const GQL_ROOM = `query BenchRoom($roomId: String!) {
  room(id: $roomId) {
    id
    roomId
    name
    roomType
    unread
    members(first: 50) { edges { node { userId nickname avatarUrl role badge } } }
  }
}`;

export const GQL_SEND = `mutation BenchSend($input: SendMessageInput!) {
  sendMessage(input: $input) {
    ... on SendMessagePayload { chatMessage { messageId createdAt } }
    ... on Error { code message }
  }
}`;
