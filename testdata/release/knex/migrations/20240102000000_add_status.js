exports.up = (knex) =>
  knex.schema.alterTable('orders', (t) => {
    t.string('status', 16).notNullable().defaultTo('new');
  });
exports.down = (knex) =>
  knex.schema.alterTable('orders', (t) => t.dropColumn('status'));
