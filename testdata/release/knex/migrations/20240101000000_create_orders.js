exports.up = (knex) =>
  knex.schema.createTable('orders', (t) => {
    t.bigInteger('id').primary();
    t.bigInteger('customer_id').notNullable();
  });
exports.down = (knex) => knex.schema.dropTable('orders');
