/**
 * Given names that can denote the same person: English diminutives (Bob = Robert, Liz =
 * Elizabeth), common spelling and transliteration variants (Mohammed = Muhammad, Sergei =
 * Sergey) and cross-language forms a CRM meets every day (Giuseppe = Joseph).
 *
 * Each line is one group of names that may be typed for the same person; the first is the
 * formal form used to explain a match. A name may sit in several groups (Chris is Christopher,
 * Christine and Christian), so two names match when they share a group, never by chaining.
 * About 250 groups: big enough for the names people actually shorten, small enough to review.
 */
const GROUPS = `
aaron ron ronnie
abigail abby abbie gail
abraham abe bram
adam ad
adrian adrien adriana
agnes aggie nessa
albert al bert bertie
alexander alex alec alek sasha sacha sandy xander alejandro alessandro aleksandr aleksander alexandre oleksandr
alexandra alex alexa lexi sasha sandra sandy alexandria aleksandra
alfred al alf alfie fred freddie
alice ali allie alicia
allison alison ali allie
amanda mandy manda
andrew andy drew andre andreas andrea andrey andrei andrzej
angela angie angel angelica
anne ann annie anna hannah nan nancy anya anja
anthony tony antonio anton antoine
antonia toni tonia
arthur art artie
barbara barb barbie babs
benjamin ben benny benji
bernard bernie barney bernhard
beatrice bea trixie beatriz
bradley brad
brian bryan brien
caroline carol carrie caro carolyn
catherine cathy cat kate katie kathy katherine kathryn kathleen cathleen caitlin katarina ekaterina yekaterina katya
charles charlie chuck chas chaz carl karl carlos
charlotte charlie lottie lotte
christina chris tina christine kristina kristin christy kirsten
christopher chris kit topher cristopher kristopher christoph
christian chris kris christiane
clifford cliff
cynthia cindy
daniel dan danny dani daniele
danielle dani dannie daniela
david dave davey davy
deborah debbie deb debra
dennis denny denis
diana di diane dianne
dominic dom dominik domenico
donald don donnie
dorothy dot dottie dora
douglas doug
edward ed eddie ted teddy ned eduardo edouard
edwin ed eddie
eleanor ellie nell nora elinor elenore
elizabeth liz lizzie beth betty betsy eliza lisa libby bess elisabeth elisa elise isabel
emily em emmy emilie emilia
emma em
eric rick ricky erik
eugene gene evgeny yevgeny
evelyn eve evie
francis frank frankie fran francisco
frances fran frankie francesca francine
frederick fred freddie fritz frederic friedrich
gabriel gabe gabby
gabrielle gabby gabi gabriela
gerald gerry jerry gerard
geoffrey geoff jeff
george georgie jorge georg giorgio yuri yury iurii
gregory greg gregor grigory
harold harry hal
harriet hattie harry
helen helena ellie lena elena yelena
henry harry hank hal enrique heinrich henri
herbert herb bert
howard howie
irene rena irina
isabella bella izzy isabel isabelle
jacob jake jakob jacques
james jim jimmy jamie jimbo diego
jane jenny janie jean jeanne
janet jan jenny
jeffrey jeff geoff
jennifer jen jenny jenn
jeremy jerry jeremiah
jessica jess jessie
joan joanie jo
joanna jo joanne johanna
john jack johnny jon jonny johann johannes juan giovanni ivan jan sean shaun shawn ian hans
jonathan jon jonny nathan
joseph joe joey jose giuseppe josef jozef
josephine jo josie
joshua josh
judith judy jude
julia julie jules
julian jules julien julio
katherine kate katie kathy kit
kenneth ken kenny
kimberly kim kimmy
lawrence larry laurence lorenzo laurent
leonard leo len lenny leon
leslie les
louis lou louie luis ludwig luigi
louise lou lulu louisa luisa
lucas luke luca lukas
lucille lucy lu
margaret maggie meg peg peggy marge margie greta rita margo daisy marjorie margarita margarete
maria mary marie mariah mari
martha marty mattie
martin marty martinez
mary molly polly mae mamie maria marie
matthew matt matty mathew matthias mateo matteo
megan meg meghan
melissa mel missy lissa
michael mike mikey mick micky mickey michel miguel mikhail michele
michelle shelly michele
mitchell mitch
mohammed muhammad mohammad mohamed mohamad muhammed mehmet
nathaniel nate nathan nat
nicholas nick nicky nico nicolas niklas nikolai nikolay
nicole nicky nikki nicola
oliver ollie olly
olivia liv livvy olive
pamela pam
patricia pat patty trish tricia
patrick pat paddy rick
paul paulie pablo paolo pavel
peter pete pierre pedro pietro pyotr
philip phil pip felipe philippe filip phillip
rachel rach shelly raquel
raymond ray ramon
rebecca becky becca beck
richard rick ricky dick rich richie ricardo
robert bob bobby rob robbie bert roberto
ronald ron ronnie
rosemary rose rosie
samantha sam sammy
samuel sam sammy
sarah sara sally sadie
sebastian seb bastian
sergei sergey serge sergio
stephanie steph stevie stefanie
stephen steve stevie steven stefan esteban stephan
susan sue susie suzy suzanne susanna
theodore ted teddy theo
thomas tom tommy thom tomas
timothy tim timmy
valerie val
victor vic vik viktor
victoria vicky tori vic
vincent vince vinny vincenzo
walter walt wally
william bill billy will willy liam wil wilhelm guillermo guillaume
zachary zach zack zak
dmitri dmitry dmitrii dima
aleksei alexei alexey alex
tatiana tanya tatyana
natalia natasha natalie nathalie natalya
olga olya
vladimir vlad volodymyr
mikhail misha michael
yekaterina katya ekaterina
anastasia nastya stacy stacey
svetlana sveta
`;

/** Lower-case given name → indexes of the groups it belongs to. */
const GROUPS_OF_NAME: ReadonlyMap<string, readonly number[]> = (() => {
  const map = new Map<string, number[]>();
  const groups = GROUPS.trim().split('\n');
  groups.forEach((line, index) => {
    for (const name of new Set(line.trim().split(/\s+/))) map.set(name, [...(map.get(name) ?? []), index]);
  });
  return map;
})();

const FORMAL_NAME: readonly string[] = GROUPS.trim()
  .split('\n')
  .map((line) => line.trim().split(/\s+/)[0]!);

/** The nickname groups a normalized given name belongs to (empty when it has none). */
export function nicknameGroups(name: string): readonly number[] {
  return GROUPS_OF_NAME.get(name) ?? [];
}

/** The formal name of a group, e.g. `robert` for the group of Bob. */
export function formalNameOf(group: number): string {
  return FORMAL_NAME[group] ?? '';
}

/** The group two given names share, if any: Bob and Robert share Robert's. */
export function sharedNicknameGroup(a: string, b: string): number | undefined {
  const groupsOfB = nicknameGroups(b);
  return nicknameGroups(a).find((group) => groupsOfB.includes(group));
}
