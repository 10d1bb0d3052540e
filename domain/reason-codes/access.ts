/** Data-scope codes: who may change what (the API refuses with these; bulk results list them per item). */
export const ACCESS_CODES = {
  NOT_OWNER: 'The contact is owned by another user; only its owner or an admin can change it (a rep claims unowned contacts by changing them).',
} as const;
