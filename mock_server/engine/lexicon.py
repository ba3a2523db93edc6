"""The word knowledge behind search and categorisation: plain data, parsed by `text.py`.

Three tables, all hand-written and general (no entry names a particular user or data set):

- `IRREGULAR`: inflected forms the stemmer cannot join to their base ("ran" -> "run",
  "asleep" -> "sleep", "children" -> "child"). Ambiguous forms are left out ("left",
  "lay", "bit"), since a wrong join costs more than a missed one.
- `SYNONYMS`: one group per line; every word of a group is related to every other.
  Groups are near-synonyms and tight associations, kept small.
- `HYPERNYMS`: `heads: members` per line. Each head is related to each member and the
  heads to one another, but members are not related to each other: "animal" meets "dog"
  and "cat", while "dog" does not meet "cat". This is where broad terms ("animal",
  "instrument", "money", "Japan", "spring") find the specific ones memories mention.

Words are stemmed when loaded, so inflections need not be listed. An indented line
continues the entry above it.
"""

from __future__ import annotations

__all__ = ["HYPERNYMS", "IRREGULAR", "SYNONYMS"]

IRREGULAR: dict[str, str] = {
    # verbs: past tense and participles
    "ran": "run", "ate": "eat", "eaten": "eat", "slept": "sleep", "asleep": "sleep", "awake": "wake",
    "woke": "wake", "woken": "wake", "bought": "buy", "brought": "bring", "caught": "catch",
    "taught": "teach", "drove": "drive", "driven": "drive", "flew": "fly", "flown": "fly",
    "swam": "swim", "swum": "swim", "sang": "sing", "sung": "sing", "won": "win", "lost": "lose",
    "spent": "spend", "built": "build", "wrote": "write", "written": "write", "spoke": "speak",
    "spoken": "speak", "rode": "ride", "ridden": "ride", "chose": "choose", "chosen": "choose",
    "drank": "drink", "drunk": "drink", "broke": "break", "broken": "break", "fell": "fall",
    "fallen": "fall", "met": "meet", "paid": "pay", "sold": "sell", "sat": "sit", "stood": "stand",
    "began": "begin", "begun": "begin", "grew": "grow", "grown": "grow", "took": "take",
    "taken": "take", "gave": "give", "given": "give", "came": "come", "became": "become",
    "held": "hold", "kept": "keep", "tore": "tear", "torn": "tear", "wore": "wear", "worn": "wear",
    "threw": "throw", "thrown": "throw", "hid": "hide", "hidden": "hide", "forgot": "forget",
    "forgotten": "forget", "froze": "freeze", "frozen": "freeze", "shook": "shake", "stole": "steal",
    "stolen": "steal", "felt": "feel", "heard": "hear", "saw": "see", "seen": "see", "found": "find",
    "fed": "feed", "fought": "fight", "blew": "blow", "dug": "dig", "drew": "draw", "drawn": "draw",
    "hung": "hang", "meant": "mean", "rang": "ring", "shot": "shoot", "sank": "sink", "spun": "spin",
    "struck": "strike", "swore": "swear", "swept": "sweep", "swung": "swing", "understood": "understand",
    "wept": "weep", "sent": "send", "lent": "lend", "bent": "bend", "dealt": "deal", "dreamt": "dream",
    "learnt": "learn", "burnt": "burn", "spilt": "spill", "leapt": "leap", "knelt": "kneel",
    "sewn": "sew", "sown": "sow", "baked": "bake", "died": "die", "dying": "die", "lying": "lie",
    # nouns: irregular plurals
    "children": "child", "grandchildren": "grandchild", "men": "man", "women": "woman", "feet": "foot",
    "teeth": "tooth", "mice": "mouse", "geese": "goose", "wives": "wife", "knives": "knife",
    "shelves": "shelf", "wolves": "wolf", "calves": "calf", "halves": "half", "loaves": "loaf",
}

SYNONYMS = """
cook recipe meal dish cuisine chef kitchen bake homemade culinary
dinner lunch breakfast brunch supper meal food eat snack
food eat meal dish cuisine diet dietary nutrition nutritional
restaurant cafe bistro diner eatery takeout dine taqueria cafeteria
vegetarian vegan veggie meat diet dietary pescatarian plant-based
vegan dairy meat vegetarian
meat beef pork chicken steak bacon ham lamb sausage
fish seafood salmon tuna shrimp shellfish prawn sushi
allergy allergic intolerance intolerant allergen reaction sensitivity anaphylaxis epipen
nut nuts peanut almond cashew walnut hazelnut pecan pistachio
dairy milk cheese lactose butter yogurt cream
gluten wheat bread celiac coeliac flour
pasta spaghetti lasagna noodle macaroni italian risotto pizza
dessert cake sweet chocolate candy cookie pastry sugar
fruit apple banana orange berry strawberry mango grape
vegetable veggie salad broccoli carrot spinach tomato lettuce
drink beverage coffee tea juice soda smoothie
alcohol beer wine cocktail whiskey vodka liquor booze sober
coffee espresso latte cappuccino caffeine barista
spicy spice chili pepper
sushi japanese ramen tempura
mexican taco burrito nacho
indian curry masala naan
chinese noodle dumpling wok
cilantro coriander herb parsley basil
grocery groceries supermarket ingredient
health healthy wellness wellbeing medical
doctor physician hospital clinic nurse appointment checkup gp
medication medicine pill prescription drug treatment supplement vitamin tablet
sick ill illness disease condition symptom diagnosis diagnosed
diabetes diabetic insulin
asthma inhaler breathing
pain ache injury hurt headache migraine injured sore
sleep insomnia nap bedtime sleepless
exercise workout gym fitness training fit
weight calorie diet slim kilo kilogram pound overweight
anxiety depression stress therapy therapist mental
pregnant pregnancy expecting
surgery operation surgeon operated
physio physiotherapy physiotherapist rehab rehabilitation pt
sport sports game match athlete athletic league
tennis racket wimbledon
football soccer goal
basketball nba hoop
run running jog marathon runner race half-marathon
swim swimming pool swimmer laps
cycling bike bicycle cyclist biking
hike hiking trek trekking trail hiker
climb climbing boulder bouldering climber
yoga pilates meditation meditate stretching
golf golfer
ski skiing snowboard snowboarding slope
surf surfing wave surfer
sail sailing sailboat sailor yacht
travel trip journey vacation holiday tour visit abroad traveller
flight fly airline airport plane layover
hotel hostel accommodation airbnb resort lodging ryokan
beach sea ocean coast island shore
passport visa abroad international overseas
move moved relocate relocation
live lives home house apartment flat residence reside hometown
city town country place location
job work career employer company occupation profession employment position role
colleague coworker boss manager office
office workplace remote commute
salary pay income wage earn earnings paycheck
engineer developer programmer software coder
teacher teach teaching school student education tutor
study learn course university college degree school student uni
business startup entrepreneur founder company firm
retire retired retirement pension
family relative parent mother father mom dad sibling brother sister
child children kid son daughter baby toddler
wife husband spouse partner married marriage
partner girlfriend boyfriend fiance fiancee dating
friend buddy pal friendship
marry married wedding engaged engagement fiance fiancee propose
grandchild grandkid grandson granddaughter
grandparent grandmother grandfather grandma grandpa granny abuela abuelo
nephew niece uncle aunt
pet dog puppy
pet cat kitten
dog puppy canine pup
cat kitten feline kitty
name nickname
birthday born birth
age old young
email mail contact phone
language speak fluent native bilingual
spanish spain
french france
german germany
italian italy
japanese japan
korean korea
chinese china
indian india
mexican mexico
brazilian brazil
irish ireland
scottish scotland
canadian canada
australian australia
nigerian nigeria
kenyan kenya
portuguese portugal
movie film cinema director actor actress
tv television show series episode netflix streaming
book novel read reading author literature story
music musical song band album listen concert singer musician playlist
concert gig festival
videogame gaming console playstation xbox nintendo gamer
theater theatre musical broadway
podcast radio episode
comedy funny humor humour
art painting paint museum gallery draw drawing artist artwork
guitar piano violin drum instrument cello ukulele saxophone
jazz blues rock pop classical hiphop rap genre
photography photo camera picture
hobby hobbies pastime interest leisure activity
garden gardening plant flower
knit knitting sew sewing craft crochet
chess puzzle boardgame
collect collection collector stamp coin
write writing blog journal journaling poetry poem writer
dance dancing dancer ballet
technology tech computer gadget device
phone smartphone iphone android mobile pixel
laptop computer macbook
code coding programming program software developer
ai ml machine learning
app application software
internet web website online browser
data database analytics analyst scientist
fashion style clothes clothing outfit wear wardrobe
shoe shoes sneaker boot heel footwear
dress skirt shirt jeans jacket coat sweater
jewelry jewellery necklace earring bracelet
makeup cosmetics skincare beauty
color colour hue shade
graduate graduation graduated diploma degree
promotion promoted raise
anniversary celebrate celebration milestone achievement
like love enjoy prefer favourite favorite fond fan adore
dislike hate detest avoid loathe
prefer preference rather choice
car vehicle drive driving automobile auto
weather rain sunny cold
morning early sunrise
night evening late
weekend saturday sunday
money budget saving savings save finance financial
debt loan mortgage owe credit borrow
shop shopping store buy purchase
rent lease landlord tenant
invest investment investor stock shares portfolio fund etf
tattoo ink inked
grade exam test midterm gpa
military army navy marine veteran soldier served
volunteer volunteering charity
wedding sangeet reception bride groom
pianist piano
guitarist guitar
violinist violin
cellist cello
drummer drum drums
singer sing song vocalist
photographer photography photo
painter painting paint
baker bake bakery baking
gardener garden gardening
chemist chemistry chemical
biologist biology
physicist physics
scientist science scientific
economist economics economy
nutritionist nutrition
farmer farm farming
fisherman fishing angler
hunter hunting
driver drive driving
pilot aviation flying
skier ski
dentist dental teeth tooth filling braces orthodontist
eye eyes vision glasses contacts optician optometrist eyesight
ear ears hearing deaf
baby newborn infant
funeral died passed death grief bereavement widow widower
religion religious faith church mosque temple synagogue prayer pray
church chapel mass parish
lawyer attorney solicitor barrister legal lawsuit court
house home flat apartment condo bungalow
neighbour neighbor neighbours
landlord rent tenant lease
bill bills utilities electricity
insurance insured premium policy
tax taxes irs hmrc
cheap affordable inexpensive budget
expensive pricey costly
weather forecast temperature
rain rainy raining drizzle
snow snowy snowing blizzard
storm thunderstorm thunder lightning
heat hot heatwave warm humid
cold freezing chilly frost
tired exhausted fatigue fatigued
happy happiness glad joy
sad upset unhappy depressed
worried anxious nervous anxiety worry
angry annoyed frustrated furious
scared afraid fear frightened phobia terrified
lonely alone isolated
phd doctorate dissertation thesis
lecture lecturer professor
homework assignment coursework essay
kindergarten preschool nursery daycare
nanny babysitter childcare
marathon half-marathon 10k 5k
gym weights lifting strength
cruise cruises
camping camp tent campsite
fishing fish angling
knit knitting yarn wool
woodworking carpentry woodwork carpenter joiner
pottery ceramics clay kiln
museum exhibition exhibit gallery
hospital ward er icu emergency
ambulance paramedic emergency
vet veterinarian veterinary
wine vineyard winery
coffee cafe coffeehouse
"""

HYPERNYMS = """
food foods meal meals dinner lunch breakfast supper cook cooking eat eating recipe dish: vegetarian
    vegan pescatarian keto paleo halal kosher gluten dairy lactose nut peanut shellfish pizza pasta
    sushi ramen curry taco burger salad soup steak chicken fish rice noodle bread cheese chocolate
    dessert fruit vegetable meat seafood spicy
diet diets dietary restriction restrictions: vegetarian vegan pescatarian keto paleo halal kosher
    gluten dairy lactose nut peanut shellfish allergy allergic intolerance intolerant sugar salt
    carbs protein calories fasting
hobby hobbies pastime pastimes interest interests leisure: hiking hike chess reading knitting
    painting drawing gardening photography cooking baking climbing fishing camping pottery
    woodworking birdwatching birding sewing crochet dancing singing yoga running cycling swimming
    surfing sailing skiing gaming puzzles collecting writing journaling
animal animals pet pets creature wildlife furry: dog cat puppy kitten horse pony rabbit bunny
    hamster guinea mouse rat ferret parrot budgie bird fish goldfish turtle tortoise snake lizard
    gecko chicken hen rooster goat sheep cow pig donkey duck
dog dogs: labrador lab retriever greyhound kelpie collie poodle terrier beagle spaniel husky
    shepherd bulldog dachshund corgi pug boxer rottweiler schnauzer dalmatian whippet labradoodle
    doodle
cat cats: tabby siamese persian ragdoll sphynx bengal
bird birds: parrot budgie canary hen chicken duck goose swallow owl eagle robin sparrow puffin
    pigeon crow hummingbird quetzal chickadee
poultry: chicken hen rooster duck goose turkey
fish: salmon trout tuna cod goldfish carp
boat boats vessel watercraft: sail sailing sailboat yacht canoe kayak ship ferry cruise marina
    rowing dinghy
vehicle vehicles automobile transport: car truck van suv motorcycle motorbike scooter bike bicycle
    bus tram subway metro tube bahn taxi tractor
car cars: sedan hatchback suv convertible mustang subaru toyota honda ford tesla prius civic
    volkswagen bmw audi jeep mercedes volvo nissan hyundai kia
commute transit: car bus tram subway metro tube bahn bike bicycle taxi uber
instrument instruments: guitar bass piano keyboard violin viola cello drum drums flute clarinet
    saxophone trumpet trombone harp harmonica ukulele banjo bagpipes accordion mandolin oboe
music: band song album concert gig vinyl record playlist singer choir orchestra symphony guitar
    piano violin cello drum jazz rock punk krautrock opera
sport sports athletic: football soccer rugby tennis golf cricket basketball baseball hockey
    volleyball swim swimming run running marathon cycling climbing bouldering boxing skiing surfing
    rowing netball badminton squash
medication medications medicine medicines drug drugs pill pills: penicillin antibiotic amoxicillin
    metformin insulin losartan statin ibuprofen paracetamol aspirin inhaler epipen antidepressant
    sertraline levothyroxine warfarin melatonin antihistamine
antibiotic antibiotics: penicillin amoxicillin
health medical: allergy allergic asthma diabetes blood pressure hypertension surgery operation knee
    hip replacement physio therapy hearing injury medication insulin migraine cancer cholesterol
    arthritis eczema heart cardiologist doctor hospital
injury injuries injured: tore torn sprain sprained fracture fractured broke broken meniscus ligament
    acl concussion tendonitis stitches bruise dislocated strain whiplash knee ankle shoulder wrist
    back hip neck elbow
condition conditions illness disease: asthma diabetes hypertension arthritis eczema migraine allergy
    cancer epilepsy anxiety depression
headache headaches: migraine migraines
money finance finances financial: salary income pay wage rent mortgage loan debt savings saving
    invest investment pension bank budget bill bills expense cost price afford tax isa etf stock
    fund allowance tuition
debt debts: loan mortgage overdraft credit
job work career occupation profession employment: nurse teacher engineer developer doctor lawyer
    chef barista intern internship manager owner restaurant shop business freelance freelancer
    designer vet
family relatives: mother father mum mom dad parent sister brother sibling son daughter child kid
    wife husband grandmother grandfather grandchild cousin aunt uncle nephew niece
sibling siblings: brother sister
parent parents: mother father mum mom dad
child children kid kids: son daughter baby toddler boy girl
spouse partner: wife husband girlfriend boyfriend fiance fiancee
school education study: university college uni class course degree exam grade homework semester term
    thesis lecture
social media: instagram facebook whatsapp twitter tiktok youtube linkedin snapchat reddit
programming coding: python rust java javascript typescript golang kotlin swift ruby php haskell
    scala
language languages: english spanish french german italian portuguese japanese korean mandarin
    chinese arabic hindi swahili irish gaelic dutch
furniture: table chair bookshelf shelf desk bench cabinet bed sofa couch dresser wardrobe
drink drinks beverage: coffee tea chai juice soda beer wine smoothie latte espresso
sweet dessert: cake chocolate candy cookie pastry pie biscuit macaron
bread: sourdough loaf baguette bagel
festival festivals holiday holidays: christmas easter diwali thanksgiving hanukkah eid ramadan
    chuseok halloween
spring: march april may
summer: june july august
autumn fall: september october november
winter: december january february
christmas xmas: december
thanksgiving: november
halloween: october
diwali: october november
easter: april march
weekend: saturday sunday
weekday: monday tuesday wednesday thursday friday
europe european: spain france germany italy portugal uk britain england scotland ireland netherlands
    belgium switzerland austria greece sweden norway denmark finland poland czech hungary croatia
    iceland
asia asian: japan china korea india thailand vietnam indonesia malaysia singapore philippines taiwan
    nepal
africa african: nigeria kenya ghana egypt morocco ethiopia tanzania uganda senegal
america americas: usa canada mexico brazil argentina chile peru colombia
usa america: colorado california texas florida york ohio illinois washington oregon massachusetts
    jersey georgia arizona nevada michigan
uk britain: england scotland wales ireland london manchester edinburgh glasgow birmingham leeds
    liverpool bristol cardiff belfast
england english: london manchester birmingham leeds liverpool bristol oxford cambridge brighton york
    newcastle sheffield nottingham
scotland scottish: edinburgh glasgow inverness aberdeen dundee highlands
ireland irish: dublin galway cork limerick belfast
japan japanese: tokyo kyoto osaka hakone hiroshima sapporo nara yokohama okinawa fukuoka
china chinese: beijing shanghai shenzhen guangzhou hong kong chengdu
korea korean: seoul busan incheon jeju daegu
india indian: mumbai delhi bangalore bengaluru chennai kolkata hyderabad pune kerala kochi goa
    jaipur
indonesia indonesian: bali jakarta java lombok
thailand thai: bangkok phuket chiang mai
vietnam vietnamese: hanoi saigon
spain spanish: madrid barcelona seville valencia malaga granada bilbao mallorca ibiza
france french: paris lyon marseille bordeaux nice toulouse provence normandy brittany
germany german: berlin munich hamburg cologne frankfurt stuttgart esslingen dresden leipzig bavaria
italy italian: rome milan florence venice naples tuscany sicily bologna turin
portugal portuguese: lisbon porto algarve madeira coimbra
netherlands dutch holland: amsterdam rotterdam utrecht
greece greek: athens crete santorini
canada canadian: toronto vancouver montreal quebec ottawa calgary edmonton winnipeg halifax ontario
    alberta
quebec: montreal
ontario: toronto ottawa
mexico mexican: cdmx guadalajara monterrey cancun oaxaca coyoacan puebla tijuana
brazil brazilian: rio paulo salvador brasilia
nigeria nigerian: lagos abuja ibadan kano
kenya kenyan: nairobi mombasa kisumu nyeri nakuru nyama choma ugali sukuma githeri mandazi
ghana ghanaian: accra kumasi
australia australian: sydney melbourne brisbane perth adelaide canberra hobart townsville
zealand: auckland wellington christchurch canterbury queenstown
colorado: denver boulder aspen
california: francisco la sacramento oakland diego
texas: austin houston dallas antonio
illinois: chicago naperville
massachusetts: boston cambridge
ohio: columbus cleveland cincinnati dayton toledo sandusky
florida: miami orlando tampa
york: manhattan brooklyn queens bronx
washington: seattle spokane
exercise exercises workout workouts fitness: yoga pilates surf surfing swim swimming run running
    jog jogging cycling bike hiking hike climbing bouldering gym weights lifting rowing tennis
    football dancing walk walking stretching crossfit spin boxing skiing
disease diseases tropical infection infections: malaria dengue cholera typhoid tuberculosis measles
    flu influenza covid zika hepatitis
rodent rodents: mouse mice rat hamster gerbil guinea squirrel chinchilla
card cards: bridge poker blackjack solitaire rummy canasta cribbage whist
bake baking: bread cake cookie biscuit scone muffin pastry pie sourdough loaf macaron brownie
funding fundraising investors investment: series seed venture vc round valuation angel
crypto cryptocurrency cryptocurrencies: bitcoin ethereum btc eth dogecoin solana blockchain
instrument instruments: mridangam tabla sitar veena oud bouzouki djembe didgeridoo erhu koto shamisen
hike hiking: tramp tramping trek track trail walk
graduate graduation: thesis dissertation defend defense viva diploma degree commencement
transport transportation around: car bus train tram subway metro taxi bike bicycle drive driving
    walk pass ferry
body: head neck shoulder arm elbow wrist hand finger back spine hip leg knee ankle foot toe chest
    stomach
science sciences: physics chemistry biology geology astronomy neuroscience ecology
subject subjects: math maths mathematics physics chemistry biology history geography english
    literature economics algebra calculus statistics art music
job jobs profession professions: nurse doctor paramedic midwife pharmacist dentist vet teacher
    professor lecturer engineer developer programmer lawyer attorney accountant chef cook baker
    barista waiter architect designer illustrator artist writer journalist carpenter electrician
    plumber mechanic driver pilot farmer scientist researcher manager consultant
healthcare medical: nurse doctor paramedic midwife pharmacist dentist physician surgeon therapist
    physio hospital clinic
streaming: netflix hulu disney hbo prime spotify
game games: chess poker scrabble monopoly catan videogame fortnite minecraft zelda
tv show series: sitcom drama documentary anime reality
film movie movies: comedy horror thriller documentary animation romcom
genre genres: jazz blues rock pop classical hiphop rap folk punk metal country reggae techno house
    krautrock
book books: novel memoir biography poetry fiction nonfiction thriller fantasy
computer computers device devices: laptop desktop pc macbook thinkpad chromebook tablet ipad
phone phones: iphone android pixel samsung galaxy
operating os: linux windows macos ubuntu arch debian ios android
clothes clothing: dress shirt jeans jacket coat sweater skirt trousers pants shorts hoodie suit
    boots shoes sneakers
cuisine cuisines: italian japanese mexican indian chinese thai french korean vietnamese greek
    spanish lebanese ethiopian nigerian
italian: pizza pasta risotto lasagna gelato
japanese: sushi ramen tempura udon miso sake
mexican: taco tacos burrito enchilada quesadilla mole tamale salsa guacamole
indian: curry naan biryani masala dal samosa paneer chai
chinese: dumpling noodle wonton dimsum
thai: pad curry
korean: kimchi bibimbap bulgogi
vietnamese: pho banh
french: croissant baguette crepe
spanish: paella tapas
fruit fruits: apple banana orange berry strawberry blueberry mango grape pear peach cherry lemon
    lime pineapple watermelon kiwi
vegetable vegetables veg: broccoli carrot spinach tomato lettuce potato onion pepper cucumber kale
    cabbage zucchini courgette aubergine eggplant pea bean
meat meats: beef pork chicken steak bacon ham lamb sausage turkey mutton venison
seafood: fish salmon tuna shrimp prawn crab lobster oyster mussel clam squid
nut nuts: peanut almond cashew walnut hazelnut pecan pistachio
dairy: milk cheese butter yogurt yoghurt cream ice
plant plants: flower tree rose tulip orchid succulent cactus fern herb tomato basil
flower flowers: rose tulip orchid daisy lily sunflower chrysanthemum lavender
tree trees: oak maple pine cedar birch willow cherry
weather: rain snow storm thunderstorm heat heatwave cold wind sunny fog hail humid
holiday holidays vacation: trip travel beach cruise resort getaway
emotion emotions feeling feelings: happy sad angry anxious worried scared lonely stressed excited
    nervous
military: army navy airforce marines soldier veteran deployed deployment served service
insurance: car health life home travel policy premium
bill bills expenses: rent mortgage electricity gas water internet phone insurance
caribbean: jamaica bahamas barbados cuba aruba dominican haiti trinidad antigua
hawaii hawaiian: honolulu maui oahu kauai
nevada: vegas reno
arizona: phoenix tucson sedona
georgia: atlanta savannah
tennessee: nashville memphis
louisiana: orleans
michigan: detroit
minnesota: minneapolis
pennsylvania: philadelphia pittsburgh
oregon: portland
utah: salt
alberta: calgary edmonton banff
columbia: vancouver victoria
scotia: halifax
manitoba: winnipeg
queensland: brisbane cairns townsville
victoria: melbourne
wales welsh: new south sydney cardiff swansea snowdonia
yorkshire: leeds sheffield york bradford
africa: nigeria kenya ghana egypt morocco ethiopia tanzania uganda senegal south
egypt egyptian: cairo alexandria luxor
morocco moroccan: marrakech casablanca fez
turkey turkish: istanbul ankara cappadocia
austria austrian: vienna salzburg innsbruck
switzerland swiss: zurich geneva bern lucerne zermatt
belgium belgian: brussels bruges antwerp ghent
denmark danish: copenhagen aarhus
sweden swedish: stockholm gothenburg
norway norwegian: oslo bergen
finland finnish: helsinki
iceland icelandic: reykjavik
poland polish: warsaw krakow gdansk
czech: prague brno
hungary hungarian: budapest
croatia croatian: zagreb split dubrovnik
russia russian: moscow petersburg
argentina argentinian argentine: buenos aires patagonia mendoza
chile chilean: santiago valparaiso
peru peruvian: lima cusco machu picchu
colombia colombian: bogota medellin cartagena
cuba cuban: havana
philippines filipino: manila cebu
malaysia malaysian: kuala lumpur penang
taiwan taiwanese: taipei
nepal nepali: kathmandu everest
pakistan pakistani: karachi lahore islamabad
bangladesh: dhaka
lanka lankan: colombo kandy
israel israeli: jerusalem tel aviv
uae emirates: dubai abu dhabi
singapore
"""
