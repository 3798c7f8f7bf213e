"""Graph stores: the interface (:mod:`.base`), the SQL store and the Neo4j store."""
