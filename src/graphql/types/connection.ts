import { builder } from '../builder.js';

// Every connection counts its whole list (filters applied), as GitHub's do; the count runs only when asked for.
builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole list has (with its filters), across all pages.',
    resolve: (connection) => connection.totalCount(),
  }),
);
