"""The public GraphQL schema: strawberry types, inputs, enums and the Query/Mutation roots."""
