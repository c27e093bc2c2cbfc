class AddPaymentIntentToOrders < ActiveRecord::Migration[7.1]
  def change
    add_column :orders, :payment_intent_id, :text
    add_index :orders, :payment_intent_id, unique: true, name: "orders_payment_intent"
  end
end
