import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional } from "sequelize";

/** A messenger chat's conversation state (one table serves every bot). */
export class BotSession extends Model<InferAttributes<BotSession>, InferCreationAttributes<BotSession>> {
  declare channel: string;
  declare chatId: string;
  declare state: Record<string, unknown>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    BotSession.init(
      {
        channel: { type: DataTypes.TEXT, primaryKey: true },
        chatId: { type: DataTypes.TEXT, primaryKey: true },
        state: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "bot_sessions" },
    );
  }
}

/** A processed messenger update (Telegram update_id, VK event_id). */
export class BotUpdate extends Model<InferAttributes<BotUpdate>, InferCreationAttributes<BotUpdate>> {
  declare channel: string;
  declare updateKey: string;
  declare processedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    BotUpdate.init(
      {
        channel: { type: DataTypes.TEXT, primaryKey: true },
        updateKey: { type: DataTypes.TEXT, primaryKey: true },
        processedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "bot_updates", timestamps: false },
    );
  }
}

export function initBotModels(sequelize: Sequelize): void {
  BotSession.initModel(sequelize);
  BotUpdate.initModel(sequelize);
}
