class CreateCustomersAndOrders < ActiveRecord::Migration[7.1]
  def change
    create_table :customers do |t|
      t.text :email, null: false, index: { unique: true }
      t.text :created_at, null: false, default: -> { "CURRENT_TIMESTAMP" }
    end
    create_table :orders do |t|
      t.references :customer, null: false, foreign_key: true
      t.integer :amount_cents, null: false
      t.text :created_at, null: false, default: -> { "CURRENT_TIMESTAMP" }
    end
  end
end
