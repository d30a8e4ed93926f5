// Document formats gitway adds to Spectral's: the project document (every manifest of the
// repository with the environment and the operations of every API) is what manifest rules run on.
export const gitwayProject = (document) => document !== null && typeof document === 'object' && document['x-gitway'] === 'project';
gitwayProject.displayName = 'gitway project';
