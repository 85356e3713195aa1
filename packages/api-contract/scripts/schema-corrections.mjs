// What the API's OpenAPI document gets wrong, corrected before the types are generated (openapi.json
// itself stays the API's document). Two decorator slips in the DTOs cause all of it:
// - a `string | null` or `number | null` property declared without `type:` is described as `object`
//   (the decorator metadata of a union is `Object`);
// - `@ApiPropertyOptional({ nullable: true })` marks a property optional although the response
//   always has it (null or a value), as the DTO classes' own types say.
// Each entry makes the property required and, where given, replaces its schema (its description is
// kept). An entry that no longer corrects anything fails the generation, so fixing a DTO in the API
// points here: delete the entry in the same change.

/** The schema is right; only `required` is missing. */
const REQUIRED = null;

/**
 * None today: the DTOs give every nullable property its type and mark it required. An entry is
 * `'Schema.property': { type: 'string', nullable: true }` (a replacement schema) or `REQUIRED`.
 */
export const SCHEMA_CORRECTIONS = {};

/** An `object` with nothing said about its contents: what a union type's metadata turns into. */
function isBareObject(schema) {
  return schema.type === 'object' && !schema.properties && !schema.additionalProperties && !schema.allOf && !schema.$ref;
}

/** A copy of the document with the corrections applied; throws on an entry that corrects nothing. */
export function correctedDocument(document) {
  const corrected = structuredClone(document);
  for (const [name, replacement] of Object.entries(SCHEMA_CORRECTIONS)) {
    const [schemaName, property] = name.split('.');
    const schema = corrected.components?.schemas?.[schemaName];
    const current = schema?.properties?.[property];
    const required = schema?.required ?? [];
    const wrong = current && (!required.includes(property) || (replacement !== REQUIRED && isBareObject(current)));
    if (!wrong) {
      throw new Error(`${name} is described correctly by the API now (or is gone): delete its entry in packages/api-contract/scripts/schema-corrections.mjs`);
    }
    if (replacement !== REQUIRED) {
      const { description, example } = current;
      schema.properties[property] = { ...replacement, ...(description ? { description } : {}), ...(example !== undefined ? { example } : {}) };
    }
    if (!required.includes(property)) schema.required = [...required, property];
  }
  return corrected;
}
