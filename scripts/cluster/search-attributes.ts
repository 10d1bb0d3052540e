/**
 * The custom search attributes the cluster registers and docker-compose.yml must list: the one place
 * this code imports the list from (it is moving; change only this import).
 */
export { SEARCH_ATTRIBUTES as CLUSTER_SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
