import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional } from "sequelize";

export class PersonalDataView extends Model<InferAttributes<PersonalDataView>, InferCreationAttributes<PersonalDataView>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare residentId: number | null;
  declare ticketId: number | null;
  declare source: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    PersonalDataView.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        residentId: DataTypes.INTEGER,
        ticketId: DataTypes.INTEGER,
        source: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "personal_data_views", updatedAt: false },
    );
  }
}

export class ConsentText extends Model<InferAttributes<ConsentText>, InferCreationAttributes<ConsentText>> {
  declare version: string;
  declare text: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ConsentText.init(
      {
        version: { type: DataTypes.TEXT, primaryKey: true },
        text: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "consent_texts", updatedAt: false },
    );
  }
}

export class ResidentConsent extends Model<InferAttributes<ResidentConsent>, InferCreationAttributes<ResidentConsent>> {
  declare id: CreationOptional<number>;
  declare residentId: number;
  declare version: string;
  declare given: boolean;
  declare channel: string;
  declare recordedByUserId: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ResidentConsent.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        residentId: { type: DataTypes.INTEGER, allowNull: false },
        version: { type: DataTypes.TEXT, allowNull: false },
        given: { type: DataTypes.BOOLEAN, allowNull: false },
        channel: { type: DataTypes.TEXT, allowNull: false },
        recordedByUserId: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "resident_consents", updatedAt: false },
    );
  }
}
