/** A route option's hooks as an array (Fastify takes one hook or several), to build a new array from. */
export function hooksOf<H>(hooks: H | H[] | undefined): H[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}
